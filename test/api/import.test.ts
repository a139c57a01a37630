import { afterAll, beforeAll, expect, it } from 'vitest';
import { uuidv7 } from '../../server/platform/ids.js';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, type ApiClient, type TestApp } from '../support/test-app.js';

type Ref = { externalId: string | null; number: number };
const H = 3_600_000;

describeEachDialect('import of historical tickets', (dialect) => {
  let t: TestApp;
  let agent: ApiClient;
  beforeAll(async () => {
    delete process.env.SMTP_URL;
    t = await createTestApp(dialect, { start: '2026-03-02T09:00:00.000Z' });
    agent = await t.user({ role: 'agent', name: 'Old Agent', email: `old-${dialect}@tessera.test` });
    await t.admin.post('/api/v1/groups', { name: 'Legacy' });
  });
  afterAll(() => t.close());

  const history = () => ({
    tickets: [
      {
        externalId: 'ZD-1',
        subject: 'Old refund question',
        requester: { email: 'hist@customer.test', name: 'Hist Orical' },
        status: 'closed',
        priority: 'high',
        assigneeEmail: `old-${dialect}@tessera.test`,
        groupName: 'Legacy',
        tags: ['imported'],
        createdAt: '2024-05-01T08:00:00.000Z',
        statusChangedAt: '2024-05-03T10:00:00.000Z',
        messages: [
          { kind: 'customer', body: 'Where is my refund?', createdAt: '2024-05-01T08:00:00.000Z' },
          { kind: 'reply', authorEmail: `old-${dialect}@tessera.test`, body: 'Refund sent.', createdAt: '2024-05-01T09:30:00.000Z' },
          { kind: 'note', authorEmail: `old-${dialect}@tessera.test`, body: 'Approved by finance', createdAt: '2024-05-01T09:00:00.000Z' },
        ],
      },
    ],
  });

  it('keeps original timestamps, authors and the final status', async () => {
    const res = await t.admin.post('/api/v1/import/tickets', history());
    expect(res.statusCode).toBe(201);
    const [{ number, externalId }] = res.json().imported;
    expect(externalId).toBe('ZD-1');
    const tk = (await t.admin.get(`/api/v1/tickets/${number}`)).json();
    expect(tk).toMatchObject({
      status: 'closed',
      priority: 'high',
      tags: ['imported'],
      createdAt: '2024-05-01T08:00:00.000Z',
      firstResponseAt: '2024-05-01T09:30:00.000Z',
      closedAt: '2024-05-03T10:00:00.000Z',
      assignee: { name: 'Old Agent' },
      messageCount: 3,
    });
    const msgs = (await t.admin.get(`/api/v1/tickets/${number}/messages`)).json().items;
    expect(msgs.map((m: { kind: string; createdAt: string }) => [m.kind, m.createdAt])).toEqual([
      ['customer', '2024-05-01T08:00:00.000Z'],
      ['note', '2024-05-01T09:00:00.000Z'],
      ['reply', '2024-05-01T09:30:00.000Z'],
    ]);
    expect(msgs[2].author).toMatchObject({ type: 'user', name: 'Old Agent' });
    const events = (await t.admin.get(`/api/v1/tickets/${number}/events?action=status_changed`)).json().items;
    expect(events.at(-1)).toMatchObject({ to: 'closed', at: '2024-05-03T10:00:00.000Z' });
  });

  it('is all or nothing and admin-only', async () => {
    const before = (await t.admin.get('/api/v1/tickets?q=tag:imported&limit=200')).json().items.length;
    const bad = history();
    bad.tickets.push({ ...bad.tickets[0]!, externalId: 'ZD-2', assigneeEmail: 'ghost@nowhere.test' });
    const res = await t.admin.post('/api/v1/import/tickets', bad);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.fields[0].path).toBe('tickets.1.assigneeEmail');
    expect((await t.admin.get('/api/v1/tickets?q=tag:imported&limit=200')).json().items.length).toBe(before);
    expect((await agent.post('/api/v1/import/tickets', history())).statusCode).toBe(403);
  });

  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      await t.deps.events.idle();
      await t.deps.jobs.drain();
    }
    await t.deps.events.idle();
  };
  const post = (tickets: Record<string, unknown>[]) => t.admin.post('/api/v1/import/tickets', { tickets });
  const one = (over: Record<string, unknown>, messages: Record<string, unknown>[] = [{ kind: 'customer', body: 'Hello', createdAt: over.createdAt }]) => ({
    subject: 'Imported',
    requester: { email: 'hist@customer.test' },
    ...over,
    messages,
  });
  const fieldOf = (res: { json(): { error: { details: { fields: { path: string }[] } } } }) => res.json().error.details.fields[0]?.path;
  const countTagged = async (tag: string) => (await t.admin.get(`/api/v1/tickets?q=tag:${tag}&limit=200`)).json().items.length as number;
  const hoursAgo = (h: number) => new Date(t.clock.now().getTime() - h * H).toISOString();

  it('stores every timestamp as UTC with milliseconds, so date filters, paging by created, event ranges and message order hold', async () => {
    const res = await post([
      one(
        { externalId: 'tz-1', tags: ['tz'], createdAt: '2019-06-01T23:00:00-05:00', statusChangedAt: '2019-06-02T09:00:00+02:00' },
        [
          { kind: 'customer', body: 'Sent in New York', createdAt: '2019-06-01T23:00:00-05:00' },
          { kind: 'reply', authorEmail: `old-${dialect}@tessera.test`, body: 'Answered in UTC', createdAt: '2019-06-02T04:45:00Z' },
          { kind: 'note', authorEmail: `old-${dialect}@tessera.test`, body: 'Noted in London', createdAt: '2019-06-02T05:30:00+01:00' },
        ],
      ),
    ]);
    expect(res.statusCode, res.body).toBe(201);
    const number = res.json().imported[0].number as number;
    expect((await t.admin.get(`/api/v1/tickets/${number}`)).json()).toMatchObject({
      createdAt: '2019-06-02T04:00:00.000Z',
      firstResponseAt: '2019-06-02T04:45:00.000Z',
      closedAt: '2019-06-02T07:00:00.000Z',
    });
    const msgs = (await t.admin.get(`/api/v1/tickets/${number}/messages`)).json().items as { kind: string; createdAt: string }[];
    expect(msgs.map((m) => [m.kind, m.createdAt])).toEqual([
      ['customer', '2019-06-02T04:00:00.000Z'],
      ['note', '2019-06-02T04:30:00.000Z'],
      ['reply', '2019-06-02T04:45:00.000Z'],
    ]);
    const onDay = (await t.admin.get(`/api/v1/tickets?q=${encodeURIComponent('tag:tz created:2019-06-02')}`)).json().items as { number: number }[];
    expect(onDay.map((x) => x.number)).toEqual([number]);
    const range = new URLSearchParams({ action: 'status_changed', from: '2019-06-02T06:30:00Z', to: '2019-06-02T07:30:00Z' });
    const events = (await t.admin.get(`/api/v1/tickets/${number}/events?${range}`)).json().items;
    expect(events).toMatchObject([{ to: 'closed', at: '2019-06-02T07:00:00.000Z' }]);

    // Times whose text order differs from their time order: 10:00Z, 10:00:00.5Z, 10:30Z (as -05:00), 11:00Z (as +01:00).
    const walk = await post(
      ['2019-03-01T10:00:00Z', '2019-03-01T10:00:00.500Z', '2019-03-01T05:30:00-05:00', '2019-03-01T12:00:00+01:00'].map((createdAt, i) => one({ externalId: `walk-${i}`, tags: ['walk'], createdAt })),
    );
    expect(walk.statusCode, walk.body).toBe(201);
    const made = (walk.json().imported as Ref[]).map((r) => r.number);
    const seen: { number: number; createdAt: string }[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { number: number; createdAt: string }[]; nextCursor: string | null } = (
        await t.admin.get(`/api/v1/tickets?q=tag:walk&sort=created_desc&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
      ).json();
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor && seen.length < 10);
    expect(seen.map((x) => x.number)).toEqual([...made].reverse());
    expect(seen.map((x) => x.createdAt)).toEqual(['2019-03-01T11:00:00.000Z', '2019-03-01T10:30:00.000Z', '2019-03-01T10:00:00.500Z', '2019-03-01T10:00:00.000Z']);

    // The normalising schema still describes itself in the OpenAPI document.
    const spec = await t.anonymous.get('/api/v1/openapi.json');
    expect(spec.statusCode).toBe(200);
    expect(spec.json().paths['/api/v1/import/tickets'].post).toBeDefined();
  });

  it('refuses times after now (a minute of clock skew allowed), and a future time never dates later ids', async () => {
    const now = t.clock.now().getTime();
    const future = await post([one({ createdAt: '2099-01-01T00:00:00Z', status: 'open' })]);
    expect(future.statusCode).toBe(400);
    expect(fieldOf(future)).toBe('tickets.0.createdAt');
    const later = new Date(now + 5 * 60_000).toISOString();
    const message = await post([one({ createdAt: hoursAgo(1) }, [{ kind: 'customer', body: 'a', createdAt: hoursAgo(1) }, { kind: 'customer', body: 'b', createdAt: later }])]);
    expect(fieldOf(message)).toBe('tickets.0.messages.1.createdAt');
    const status = await post([one({ createdAt: hoursAgo(1), statusChangedAt: later })]);
    expect(fieldOf(status)).toBe('tickets.0.statusChangedAt');
    // Nor before 1970: year 0 is a typo, not history.
    const ancient = await post([one({ createdAt: '0000-01-01T10:00:00Z' })]);
    expect([ancient.statusCode, fieldOf(ancient)]).toEqual([400, 'body.tickets.0.createdAt']);
    const ancientMessage = await post([one({ createdAt: hoursAgo(1) }, [{ kind: 'customer', body: 'a', createdAt: '1969-12-31T23:59:59Z' }])]);
    expect(fieldOf(ancientMessage)).toBe('body.tickets.0.messages.0.createdAt');
    // A customer message is the requester's: another author is refused, not silently dropped.
    const ghost = await post([one({ createdAt: hoursAgo(1) }, [{ kind: 'customer', authorEmail: `old-${dialect}@tessera.test`, body: 'a', createdAt: hoursAgo(1) }])]);
    expect([ghost.statusCode, fieldOf(ghost)]).toEqual([400, 'body.tickets.0.messages.0.authorEmail']);
    const skewed = await post([one({ tags: ['skew'], createdAt: new Date(now + 30_000).toISOString() })]);
    expect(skewed.statusCode, skewed.body).toBe(201);

    // Ids minted for a future time (as the import did for a 2099 ticket) do not carry the
    // generator past the machine's clock; later ids keep sorting after earlier ones.
    const msOf = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    const before = uuidv7();
    const dated = uuidv7(Date.parse('2099-01-01T00:00:00Z'));
    const after = uuidv7();
    expect(msOf(dated)).toBeLessThanOrEqual(Date.now());
    expect(msOf(after)).toBeLessThanOrEqual(Date.now());
    expect([before, dated, after]).toEqual([before, dated, after].sort());
  });

  it('skips a ticket whose externalId was imported before, answering its number: a retried batch adds nothing', async () => {
    const batch = [one({ externalId: 'zd-1', tags: ['retry'], createdAt: '2020-01-01T10:00:00Z' })];
    const first = await post(batch);
    expect(first.statusCode, first.body).toBe(201);
    const number = first.json().imported[0].number as number;
    expect(first.json()).toEqual({ imported: [{ externalId: 'zd-1', number }], skipped: [] });
    const again = await post(batch);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toEqual({ imported: [], skipped: [{ externalId: 'zd-1', number }] });
    const mixed = await post([...batch, one({ externalId: 'zd-2', tags: ['retry'], createdAt: '2020-01-02T10:00:00Z' })]);
    expect(mixed.statusCode, mixed.body).toBe(201);
    expect(mixed.json()).toEqual({ imported: [{ externalId: 'zd-2', number: expect.any(Number) }], skipped: [{ externalId: 'zd-1', number }] });
    expect(await countTagged('retry')).toBe(2);
    const twice = await post([one({ externalId: 'zd-3', createdAt: '2020-01-03T10:00:00Z' }), one({ externalId: 'zd-3', createdAt: '2020-01-03T10:00:00Z' })]);
    expect(twice.statusCode).toBe(400);
    expect(fieldOf(twice)).toBe('tickets.1.externalId');
  });

  it('refuses history that cannot have happened, naming the field', async () => {
    const before = await countTagged('bad');
    const early = await post([one({ tags: ['bad'], createdAt: '2021-05-02T10:00:00Z', statusChangedAt: '2021-05-01T10:00:00Z' }, [{ kind: 'customer', body: 'x', createdAt: '2021-05-02T10:00:00Z' }])]);
    expect(early.statusCode).toBe(400);
    expect(fieldOf(early)).toBe('tickets.0.statusChangedAt');
    const older = await post([
      one({ tags: ['bad'], createdAt: '2021-05-02T10:00:00Z' }, [
        { kind: 'customer', body: 'x', createdAt: '2021-05-02T10:00:00Z' },
        { kind: 'customer', body: 'y', createdAt: '2021-05-02T04:00:00-05:00' },
      ]),
    ]);
    expect(older.statusCode).toBe(400);
    expect(fieldOf(older)).toBe('tickets.0.messages.1.createdAt');
    // Closed before its last message: the ticket would show an updated time before its conversation.
    const closedEarly = await post([
      one({ tags: ['bad'], createdAt: '2021-05-02T10:00:00Z', statusChangedAt: '2021-05-02T11:00:00Z' }, [
        { kind: 'customer', body: 'x', createdAt: '2021-05-02T10:00:00Z' },
        { kind: 'customer', body: 'y', createdAt: '2021-05-02T12:00:00Z' },
      ]),
    ]);
    expect(closedEarly.statusCode).toBe(400);
    expect(fieldOf(closedEarly)).toBe('tickets.0.statusChangedAt');
    expect(await countTagged('bad')).toBe(before);
  });

  it('replays history without live side effects: no agent or customer notice, no SLA alarm, no rule; reports and search still see it', async () => {
    expect((await t.admin.post('/api/v1/mailboxes', { address: `support-${dialect}@acme.test`, displayName: 'Acme Support' })).statusCode).toBe(201);
    const rule = await t.admin.post('/api/v1/automations/rules', { name: 'Triage', kind: 'trigger', events: ['ticket.created', 'message.received'], conditions: { filter: 'tag:recent' }, actions: [{ type: 'add_tags', tags: ['triaged'] }] });
    expect(rule.statusCode, rule.body).toBe(201);
    // Hours old, not days: the staleness checks of mail and rules do not cover it.
    const res = await post([
      one({ externalId: 'recent-1', tags: ['recent'], status: 'in_progress', priority: 'urgent', channel: 'email', assigneeEmail: `old-${dialect}@tessera.test`, createdAt: hoursAgo(5) }, [
        { kind: 'customer', body: 'The quokka printer broke', createdAt: hoursAgo(5) },
        { kind: 'reply', authorEmail: `old-${dialect}@tessera.test`, body: 'Looking into it', createdAt: hoursAgo(4.5) },
        { kind: 'customer', body: 'Still broken', createdAt: hoursAgo(3) },
      ]),
    ]);
    expect(res.statusCode, res.body).toBe(201);
    const number = res.json().imported[0].number as number;
    await settle();
    expect((await t.admin.post('/api/v1/sla/sweep')).statusCode).toBe(200);
    await settle();

    const bell = (await agent.get('/api/v1/notifications?limit=100')).json().items as { ticket: { number: number } }[];
    expect(bell.filter((n) => n.ticket.number === number)).toEqual([]);
    expect((await t.admin.get(`/api/v1/tickets/${number}/mail-deliveries`)).json().items).toEqual([]);
    const tk = (await t.admin.get(`/api/v1/tickets/${number}`)).json();
    expect(tk.tags).toEqual(['recent']);
    // The clock keeps the history: the next response (due 2 h ago) and the resolution (1 h ago)
    // were breached then, recorded without an alarm now.
    expect(tk.sla).toMatchObject({ breached: true });
    const targets = (await t.admin.get(`/api/v1/tickets/${number}/sla`)).json().targets as { target: string; breachedAt: string | null; metAt: string | null }[];
    expect(Object.fromEntries(targets.map((x) => [x.target, [x.metAt, x.breachedAt]]))).toEqual({
      first_response: [hoursAgo(4.5), null],
      next_response: [null, hoursAgo(2)],
      resolution: [null, hoursAgo(1)],
    });
    // The SLA report counts those breaches (as history: no notice above, no rule fired).
    const range = `from=${hoursAgo(5).slice(0, 10)}&to=${t.clock.now().toISOString().slice(0, 10)}&q=${encodeURIComponent('tag:recent')}`;
    const report = (await t.admin.get(`/api/v1/reports/sla?${range}`)).json();
    const totals = report.tables.find((x: { id: string }) => x.id === 'sla-priority').totals.cells;
    expect([totals.tickets, totals.first_responseBreached, totals.next_responseBreached, totals.resolutionBreached]).toEqual([1, 0, 1, 1]);
    expect((await t.admin.get('/api/v1/tickets?q=quokka')).json().items.map((x: { number: number }) => x.number)).toEqual([number]);
  });
});
