import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, createTicket, type ApiClient, type TestApp } from '../support/test-app.js';

/**
 * What a migration and a support team at size run into, at the smallest sizes that show it.
 * Timings measured at full size are in the report of the change, not asserted here.
 */
describeEachDialect('scale: import, conversations and bodies at size', (dialect) => {
  let t: TestApp;
  let agent: ApiClient;
  beforeAll(async () => {
    delete process.env.SMTP_URL;
    t = await createTestApp(dialect, { start: '2026-03-02T09:00:00.000Z' });
    agent = await t.user({ role: 'agent', name: 'Scale Agent' });
  });
  afterAll(() => t.close());

  const base = Date.parse('2024-05-01T08:00:00.000Z');
  const minute = (k: number) => new Date(base + k * 60_000).toISOString();
  const historical = (externalId: string, messages: { body: string; format?: 'text' | 'html' }[], over: Record<string, unknown> = {}) => ({
    externalId,
    subject: `Imported ${externalId} — ünïcødé 🎉`,
    requester: { email: `${externalId.toLowerCase()}@scale.test` },
    status: 'open',
    createdAt: minute(0),
    messages: messages.map((m, k) => ({ kind: 'customer', ...m, createdAt: minute(k) })),
    ...over,
  });
  const importOne = async (ticket: unknown): Promise<number> => {
    const res = await t.admin.post('/api/v1/import/tickets', { tickets: [ticket] });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().imported[0].number;
  };

  it('keeps a body of deeply nested HTML as its words instead of failing with a 500', async () => {
    // html-to-text recursed per level and overflowed the stack; the parsers slow with the square of the depth.
    const nested = `${'<div>'.repeat(5000)}deep words &amp; more${'</div>'.repeat(5000)}`;
    const { number } = await createTicket(agent);
    const posted = await agent.post(`/api/v1/tickets/${number}/messages`, { kind: 'reply', format: 'html', body: nested });
    expect(posted.statusCode, posted.body).toBe(201);
    expect(posted.json().message.bodyText).toBe('deep words & more');

    const imported = await t.admin.post('/api/v1/import/tickets', { tickets: [historical('NEST-1', [{ body: `${'<blockquote>'.repeat(3000)}quoted history`, format: 'html' }])] });
    expect(imported.statusCode, imported.body).toBe(201);
    // Ordinary nesting keeps its formatting.
    const shallow = await agent.post(`/api/v1/tickets/${number}/messages`, { kind: 'note', format: 'html', body: `${'<blockquote>'.repeat(20)}<b>kept</b>` });
    expect(shallow.json().message.bodyHtml).toContain('<blockquote><blockquote><b>kept</b>');
  });

  it('answers a conversation a bounded page at a time, in order, to its end', async () => {
    const number = await importOne(historical('PAGES-1', Array.from({ length: 5 }, (_, k) => ({ body: `message ${k}` }))));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await agent.get(`/api/v1/tickets/${number}/messages?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json() as { items: { bodyText: string }[]; nextCursor: string | null };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((m) => m.bodyText));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(seen).toEqual(['message 0', 'message 1', 'message 2', 'message 3', 'message 4']);
    expect(pages).toBe(3);
    expect((await agent.get(`/api/v1/tickets/${number}/messages?limit=501`)).statusCode).toBe(400);
  });

  it('stops a page of large bodies early, so 500 imported 1 MB messages are not one 800 MB answer', async () => {
    // Each message is about 2 million characters answered (its text and its HTML); a page holds about 4 million.
    const big = (k: number) => `${k} ${'x'.repeat(999_000)}`;
    const number = await importOne(historical('LARGE-1', Array.from({ length: 4 }, (_, k) => ({ body: big(k) }))));
    const first = await agent.get(`/api/v1/tickets/${number}/messages?limit=500`);
    const page = first.json() as { items: { bodyText: string }[]; nextCursor: string | null };
    expect(page.items.length).toBe(2);
    expect(page.nextCursor).not.toBeNull();
    const rest = (await agent.get(`/api/v1/tickets/${number}/messages?limit=500&cursor=${encodeURIComponent(page.nextCursor!)}`)).json();
    expect([...page.items, ...rest.items].map((m: { bodyText: string }) => m.bodyText.slice(0, 2))).toEqual(['0 ', '1 ', '2 ', '3 ']);
    expect(rest.nextCursor).toBeNull();
  });

  it('names the ticket in a batch whose custom field or body is refused, and writes none of it', async () => {
    const batch = (bad: Record<string, unknown>) => ({
      tickets: [historical('BATCH-0', [{ body: 'fine' }]), historical('BATCH-1', [{ body: 'fine' }]), historical('BATCH-2', [{ body: 'fine' }], bad)],
    });
    const field = await t.admin.post('/api/v1/import/tickets', batch({ customFields: { nosuchfield: 'x' } }));
    expect(field.statusCode).toBe(400);
    expect(field.json().error.details.fields[0].path).toBe('tickets.2.customFields.nosuchfield');
    const empty = await t.admin.post('/api/v1/import/tickets', batch({ messages: [{ kind: 'customer', format: 'html', body: '<img src="cid:x">', createdAt: minute(0) }] }));
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.details.fields[0].path).toBe('tickets.2.messages.0.body');
    // All or nothing: the two good tickets before it were not kept, and the batch goes in once fixed.
    const retried = await t.admin.post('/api/v1/import/tickets', batch({}));
    expect(retried.statusCode).toBe(201);
    expect(retried.json()).toMatchObject({ skipped: [], imported: [{ externalId: 'BATCH-0' }, { externalId: 'BATCH-1' }, { externalId: 'BATCH-2' }] });
  });

  it('formats imported HTML before taking the write lock, so a reply posted meanwhile does not wait for the whole batch', async () => {
    // On SQLite's single writer a reply used to wait until every body of the batch was parsed
    // (18 s behind 50 bodies of 300 kB); PostgreSQL never made it wait, the order holds there too.
    const html = `<p>${'Some <b>bold</b> words, ünïcødé 🎉 '.repeat(6000)}</p>`;
    const { number } = await createTicket(agent);
    const order: string[] = [];
    const importing = t.admin
      .post('/api/v1/import/tickets', { tickets: [historical('LOCK-1', Array.from({ length: 12 }, () => ({ body: html, format: 'html' as const })))] })
      .then((res) => {
        order.push('import');
        return res;
      });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const reply = await agent.post(`/api/v1/tickets/${number}/messages`, { kind: 'reply', body: 'Meanwhile, a live answer.' });
    order.push('reply');
    expect(reply.statusCode).toBe(201);
    expect((await importing).statusCode).toBe(201);
    expect(order).toEqual(['reply', 'import']);
  });
});
