import { afterAll, beforeAll, expect, it } from 'vitest';
import { deliveries, settle } from '../mail/outbound-support.js';
import { setupSupportMailbox } from '../mail/mail-support.js';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, createTicket, type ApiClient, type TestApp } from '../support/test-app.js';

interface BatchItem {
  id: string;
  number: number;
  requesterId: string;
  messageId: string;
}

/** What an integrator finds out about batch create beyond the happy path (see ticket-batch.test.ts for that). */
describeEachDialect('batch create, probed (POST /tickets/batch)', (dialect) => {
  let t: TestApp;
  let agent: ApiClient;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    agent = await t.user({ role: 'agent', name: 'Probe Agent' });
  });
  afterAll(async () => t?.close());

  const batch = (api: ApiClient, tickets: unknown[]) => api.post('/api/v1/tickets/batch', { tickets });
  const item = (over: Record<string, unknown> = {}) => ({ subject: 'Probe', requester: { email: 'probe@probe.test' }, message: { body: 'probe body' }, ...over });
  const upload = async (api: ApiClient): Promise<string> => {
    const boundary = '----probe';
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/uploads',
      headers: { authorization: `Bearer ${api.token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="log.txt"\r\nContent-Type: text/plain\r\n\r\nerror 42\r\n--${boundary}--\r\n`,
    });
    expect(res.statusCode).toBe(201);
    return res.json().id as string;
  };
  const messagesOf = async (number: number) => (await agent.get(`/api/v1/tickets/${number}/messages`)).json().items as { attachments: { id: string }[] }[];

  it('parallel batches naming the same new addresses in different orders all succeed, one contact per address', async () => {
    const addresses = Array.from({ length: 40 }, (_, i) => `order${String(i).padStart(2, '0')}@probe.test`);
    const orders = [addresses, [...addresses].reverse(), [...addresses.slice(20), ...addresses.slice(0, 20)], [...addresses].reverse()];
    const results = await Promise.all(orders.map((emails, k) => batch(k % 2 ? t.admin : agent, emails.map((email) => item({ subject: `Order ${k}`, requester: { email } })))));
    for (const res of results) expect(res.statusCode, res.body).toBe(201);
    const requesterOf = new Map<string, Set<string>>();
    results.forEach((res, k) => {
      (res.json().items as BatchItem[]).forEach((x, i) => requesterOf.set(orders[k]![i]!, (requesterOf.get(orders[k]![i]!) ?? new Set()).add(x.requesterId)));
    });
    expect([...requesterOf.values()].map((ids) => ids.size)).toEqual(addresses.map(() => 1));
    const contacts = (await t.admin.get('/api/v1/contacts?q=probe.test&limit=100')).json().items as { emails: string[] }[];
    expect(contacts.filter((c) => c.emails[0]!.startsWith('order'))).toHaveLength(40);
  });

  it('a refused batch leaves no gap in the ticket numbers, on either database', async () => {
    const before = (await createTicket(agent)).number;
    const many = (last: Record<string, unknown>) => [...Array.from({ length: 30 }, () => item()), item(last)];
    const theirs = await upload(t.admin);
    const refusals = [
      await batch(agent, many({ message: { body: '<p> </p>', format: 'html' } })),
      await batch(agent, many({ message: { body: 'see file', attachmentIds: [theirs] } })),
      await batch(agent, many({ message: { body: 'see file', attachmentIds: ['018f0000-0000-7000-8000-000000000000'] } })),
    ];
    expect(refusals.map((r) => [r.statusCode, r.json().error.details.fields[0].path])).toEqual([
      [400, 'tickets.30.message.body'],
      [400, 'tickets.30.message.attachmentIds'],
      [400, 'tickets.30.message.attachmentIds'],
    ]);
    // The next ticket takes the next number, as it does after a refused single create.
    expect((await createTicket(agent)).number).toBe(before + 1);
  });

  it('one upload named by two items is refused naming both, and the upload stays free for one of them', async () => {
    const file = await upload(agent);
    const twice = await batch(agent, [item(), item({ message: { body: 'first', attachmentIds: [file] } }), item({ message: { body: 'second', attachmentIds: [file] } })]);
    expect(twice.statusCode).toBe(400);
    const [field] = twice.json().error.details.fields as { path: string; message: string }[];
    expect(field!.path).toBe('tickets.2.message.attachmentIds');
    // Says which item has it already; "upload it again" would send the integrator the wrong way.
    expect(field!.message).toContain('tickets.1.message');
    expect(field!.message).not.toContain('upload it again');
    const once = await batch(agent, [item(), item({ message: { body: 'first', attachmentIds: [file] } })]);
    expect(once.statusCode).toBe(201);
    expect((await messagesOf((once.json().items as BatchItem[])[1]!.number))[0]!.attachments.map((a) => a.id)).toEqual([file]);
  });

  it('a new address named in only some items gets the name given, whichever item gives it', async () => {
    const res = await batch(agent, [
      item({ requester: { email: 'Quinn.Quiet@Probe.test' } }),
      item({ requester: { email: ' quinn.quiet@probe.test', name: 'Quinn Quiet' } }),
      item({ requester: { email: 'quinn.quiet@probe.test', name: 'Q. Later' } }),
    ]);
    expect(res.statusCode).toBe(201);
    const items = res.json().items as BatchItem[];
    expect(new Set(items.map((x) => x.requesterId)).size).toBe(1);
    expect((await t.admin.get(`/api/v1/contacts/${items[0]!.requesterId}`)).json()).toMatchObject({ name: 'Quinn Quiet', emails: ['quinn.quiet@probe.test'] });
  });

  it('a ticket made in a batch is what a single create makes: fields, timeline, messages, SLA, rules, customer mail', async () => {
    await setupSupportMailbox(t, 'help@probe.test');
    const other = await t.user({ role: 'agent', name: 'Other Agent' });
    const group = (await t.admin.post('/api/v1/groups', { name: 'Probe desk' })).json().id as string;
    const target = { firstResponse: 60, nextResponse: 60, resolution: 600 };
    expect((await t.admin.post('/api/v1/sla/policies', { name: 'Probe SLA', condition: 'tag:probesla', targets: { low: target, medium: target, high: target, urgent: target } })).statusCode).toBe(201);
    expect((await t.admin.post('/api/v1/automations/rules', { name: 'Probe rule', kind: 'trigger', events: ['ticket.created'], conditions: { filter: 'tag:proberule' }, actions: [{ type: 'set_priority', priority: 'urgent' }] })).statusCode).toBe(201);
    const variants: Record<string, unknown>[] = [
      { tags: ['probesla', 'proberule'] },
      { channel: 'agent', tags: ['probesla'] },
      { status: 'closed' },
      { status: 'waiting', tags: ['probesla'] },
      { assigneeId: other.userId, groupId: group, tags: ['probesla'] },
      { channel: 'email', priority: 'high' },
      { channel: 'web_form', message: { body: '<p>Hello <b>there</b></p>', format: 'html' } },
    ];
    const items = variants.map((v, k) => item({ subject: `Parity ${k}`, requester: { email: `parity${k % 3}@probe.test`, name: 'Pat Parity' }, ...v }));
    const singles: number[] = [];
    for (const x of items) singles.push((await createTicket(agent, x)).number);
    const res = await batch(agent, items);
    expect(res.statusCode).toBe(201);
    const batched = (res.json().items as BatchItem[]).map((x) => x.number);
    await settle(t);
    // Ids, numbers and the ticket's own links differ by nature; everything else must not.
    const same = (x: unknown) => JSON.parse(JSON.stringify(x, (key, v: unknown) => (['id', 'number', 'ticketId', 'messageId', 'ticketMessageId', 'subject', 'to'].includes(key) ? undefined : v)));
    const read = async (number: number) => ({
      ticket: same((await agent.get(`/api/v1/tickets/${number}`)).json()),
      events: same((await agent.get(`/api/v1/tickets/${number}/events`)).json()),
      messages: same((await agent.get(`/api/v1/tickets/${number}/messages`)).json()),
      mail: same(await deliveries(t, number)).map((d: { kind: string; status: string }) => [d.kind, d.status]),
    });
    for (const [k] of items.entries()) expect(await read(batched[k]!), `item ${k}`).toEqual(await read(singles[k]!));
  });
});
