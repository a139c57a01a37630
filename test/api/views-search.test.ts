import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PREDEFINED_VIEW_IDS } from '../../contracts/tickets.js';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, createTicket, type ApiClient, type TestApp } from '../support/test-app.js';

interface TicketJson {
  id: string;
  number: number;
  createdAt: string;
  updatedAt: string;
  [k: string]: unknown;
}

const nums = (res: LightMyRequestResponse): number[] => {
  if (res.statusCode !== 200) throw new Error(`${res.statusCode} ${res.body}`);
  return (res.json().items as { number: number }[]).map((i) => i.number);
};
const asc = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const enc = encodeURIComponent;

/** Follows nextCursor until the end, returning every page's numbers. */
async function allPages(api: ApiClient, url: string, maxPages = 20): Promise<{ pages: number[][]; all: number[] }> {
  const pages: number[][] = [];
  let cursor: string | null = null;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const res = await api.get(`${url}${cursor ? `${sep}cursor=${enc(cursor)}` : ''}`);
    pages.push(nums(res));
    cursor = res.json().nextCursor;
  } while (cursor && pages.length < maxPages);
  return { pages, all: pages.flat() };
}

describeEachDialect('predefined and saved views', (dialect) => {
  let t: TestApp;
  let me: ApiClient;
  let other: ApiClient;
  let supervisor: ApiClient;
  let billing: string;
  let support: string;
  const n: Record<string, number> = {};

  beforeAll(async () => {
    t = await createTestApp(dialect);
    billing = (await t.admin.post('/api/v1/groups', { name: 'Billing' })).json().id;
    support = (await t.admin.post('/api/v1/groups', { name: 'Support' })).json().id;
    me = await t.user({ role: 'agent', name: 'Mia Me', groupIds: [billing] });
    other = await t.user({ role: 'agent', name: 'Otto Other', groupIds: [support] });
    supervisor = await t.user({ role: 'supervisor', name: 'Sam Supervisor' });
    const make = async (key: string, over: Record<string, unknown>) => {
      t.clock.advance(1000);
      n[key] = (await createTicket(t.admin, { subject: `View ticket ${key}`, ...over })).number;
    };
    await make('inProgress', { assigneeId: me.userId, groupId: billing, priority: 'urgent' });
    await make('waiting', { assigneeId: me.userId, status: 'waiting' });
    await make('resolved', { assigneeId: me.userId, status: 'resolved' });
    await make('closed', { assigneeId: me.userId, status: 'closed' });
    await make('openBilling', { groupId: billing, priority: 'high' });
    await make('openSupport', { groupId: support });
    await make('otherAgent', { assigneeId: other.userId, groupId: support, priority: 'high' });
    await make('spam', { groupId: billing });
    await make('resolvedBilling', { groupId: billing, status: 'resolved' });
    await make('merged', { groupId: billing });
    t.clock.advance(1000);
    expect((await t.admin.patch(`/api/v1/tickets/${n.spam}`, { spam: true })).statusCode).toBe(200);
    expect((await t.admin.post(`/api/v1/tickets/${n.openBilling}/merge`, { sourceNumbers: [n.merged] })).statusCode).toBe(200);
    for (const k of ['openSupport', 'otherAgent', 'spam']) expect((await me.patch(`/api/v1/tickets/${n[k]}`, { starred: true })).statusCode).toBe(200);
    await other.patch(`/api/v1/tickets/${n.openBilling}`, { starred: true });
  });
  afterAll(() => t.close());

  const EXPECTED: Record<string, string[]> = {
    my_open: ['inProgress', 'waiting'],
    my_in_progress: ['inProgress'],
    my_waiting: ['waiting'],
    my_resolved: ['resolved'],
    my_closed: ['closed'],
    unassigned: ['openBilling', 'openSupport'],
    all_open: ['inProgress', 'waiting', 'openBilling', 'openSupport', 'otherAgent'],
    my_groups: ['inProgress', 'openBilling'],
    starred: ['openSupport', 'otherAgent'],
    spam: ['spam'],
    overdue: [],
    transferred: [],
  };

  it('each predefined view returns exactly its tickets, most recently updated first', async () => {
    for (const [view, keys] of Object.entries(EXPECTED)) {
      const res = await me.get(`/api/v1/tickets?view=${view}&limit=200`);
      const got = nums(res);
      expect(asc(got), view).toEqual(asc(keys.map((k) => n[k]!)));
      const times = (res.json().items as TicketJson[]).map((i) => i.updatedAt);
      expect(times, view).toEqual([...times].sort().reverse());
    }
    // "me" is whoever asks: the other agent's own views are different.
    expect(nums(await other.get('/api/v1/tickets?view=my_in_progress'))).toEqual([n.otherAgent]);
    expect(nums(await other.get('/api/v1/tickets?view=starred'))).toEqual([n.openBilling]);
    expect(asc(nums(await other.get('/api/v1/tickets?view=my_groups')))).toEqual(asc([n.openSupport!, n.otherAgent!]));
  });

  it('a view combines with a filter and a sort', async () => {
    expect(nums(await me.get(`/api/v1/tickets?view=all_open&q=${enc('priority>=high')}&sort=number_asc`))).toEqual(asc([n.inProgress!, n.openBilling!, n.otherAgent!]));
    expect(nums(await me.get(`/api/v1/tickets?view=all_open&sort=number_desc&limit=2`))).toEqual([n.otherAgent, n.openSupport]);
  });

  it('GET /views lists every predefined view with a count equal to its list length', async () => {
    const res = await me.get('/api/v1/views');
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { id: string; predefined: boolean; count: number; query: string }[];
    expect(items.filter((v) => v.predefined).map((v) => v.id)).toEqual(Object.keys(EXPECTED));
    for (const v of items.filter((x) => x.predefined)) {
      const list = nums(await me.get(`/api/v1/tickets?view=${v.id}&limit=200`));
      expect(v.count, v.id).toBe(list.length);
      expect(v.count, v.id).toBe(EXPECTED[v.id]!.length);
    }
    const noCounts = (await me.get('/api/v1/views?counts=false')).json().items as { count?: number }[];
    expect(noCounts.every((v) => v.count === undefined)).toBe(true);
    // Every predefined view is named by the contract, and none can be changed or deleted, even by an admin.
    expect(items.filter((v) => v.predefined).map((v) => v.id).sort()).toEqual([...PREDEFINED_VIEW_IDS].sort());
    for (const res of [await t.admin.patch('/api/v1/views/my_open', { name: 'Mine' }), await t.admin.delete('/api/v1/views/all_open')]) {
      expect([res.statusCode, res.json().error.code]).toEqual([403, 'forbidden']);
      expect(res.json().error.message).toMatch(/predefined view/);
    }
    expect((await me.delete('/api/v1/views/not-a-view')).statusCode).toBe(400);
  });

  it('saves a personal view with columns and sort; only its owner sees or changes it', async () => {
    const created = await me.post('/api/v1/views', { name: 'Hot billing', query: 'priority>=high group:Billing', columns: ['number', 'subject', 'priority'], sort: 'created_asc' });
    expect(created.statusCode).toBe(201);
    const view = created.json();
    expect(view).toMatchObject({ name: 'Hot billing', predefined: false, shared: false, ownerId: me.userId, query: 'priority>=high group:Billing', columns: ['number', 'subject', 'priority'], sort: 'created_asc' });
    // The view's own sort applies: oldest first.
    expect(nums(await me.get(`/api/v1/tickets?view=${view.id}`))).toEqual([n.inProgress, n.openBilling]);
    const mine = (await me.get('/api/v1/views')).json().items as { id: string; count: number; columns: string[]; sort: string }[];
    expect(mine.find((v) => v.id === view.id)).toMatchObject({ count: 2, columns: ['number', 'subject', 'priority'], sort: 'created_asc' });

    // Another agent cannot see, use, change or delete it: 404 as if it did not exist.
    expect(((await other.get('/api/v1/views')).json().items as { id: string }[]).map((v) => v.id)).not.toContain(view.id);
    for (const res of [
      await other.get(`/api/v1/tickets?view=${view.id}`),
      await other.patch(`/api/v1/views/${view.id}`, { name: 'Mine now' }),
      await other.delete(`/api/v1/views/${view.id}`),
    ]) {
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    }

    const changed = await me.patch(`/api/v1/views/${view.id}`, { name: 'Hot anything', query: 'priority>=high', sort: 'number_desc', columns: ['number', 'status'] });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ name: 'Hot anything', query: 'priority>=high', sort: 'number_desc', columns: ['number', 'status'] });
    expect(nums(await me.get(`/api/v1/tickets?view=${view.id}`))).toEqual([n.otherAgent, n.openBilling, n.inProgress]);
    const listed = ((await me.get('/api/v1/views')).json().items as { id: string; name: string; count: number }[]).find((v) => v.id === view.id);
    expect(listed).toMatchObject({ name: 'Hot anything', count: 3 });

    expect((await me.delete(`/api/v1/views/${view.id}`)).statusCode).toBe(200);
    expect((await me.get(`/api/v1/tickets?view=${view.id}`)).statusCode).toBe(404);
    expect(((await me.get('/api/v1/views')).json().items as { id: string }[]).map((v) => v.id)).not.toContain(view.id);
    expect((await me.get('/api/v1/tickets?view=no_such_view')).statusCode).toBe(404);
  });

  it('a shared view is visible to every agent and evaluated for the one asking', async () => {
    const shared = await supervisor.post('/api/v1/views', { name: 'Mine in progress (team)', query: 'assignee:me status:in_progress', shared: true });
    expect(shared.statusCode).toBe(201);
    const id = shared.json().id as string;
    expect(((await other.get('/api/v1/views')).json().items as { id: string; count: number }[]).find((v) => v.id === id)).toMatchObject({ shared: true, count: 1 });
    expect(nums(await other.get(`/api/v1/tickets?view=${id}`))).toEqual([n.otherAgent]);
    expect(nums(await me.get(`/api/v1/tickets?view=${id}`))).toEqual([n.inProgress]);
  });

  it('a saved view with a bad query is refused with filter_syntax and the position', async () => {
    const bad = await me.post('/api/v1/views', { name: 'Broken', query: 'priority>=high status:opn' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'filter_syntax', details: { position: 22, found: 'opn' } });
    expect(bad.json().error.details.expected).toEqual(['open', 'in_progress', 'waiting', 'resolved', 'closed']);
    const unknownGroup = await me.post('/api/v1/views', { name: 'Broken', query: 'group:Nowhere' });
    expect(unknownGroup.json().error).toMatchObject({ code: 'filter_syntax', details: { position: 6 } });
    const unterminated = await me.post('/api/v1/views', { name: 'Broken', query: 'status:open "refund' });
    expect(unterminated.json().error).toMatchObject({ code: 'filter_syntax', details: { position: 12 } });
    expect(((await me.get('/api/v1/views')).json().items as { name: string }[]).map((v) => v.name)).not.toContain('Broken');

    const ok = (await me.post('/api/v1/views', { name: 'Fine', query: 'status:open' })).json();
    const patch = await me.patch(`/api/v1/views/${ok.id}`, { query: 'status:' });
    expect(patch.statusCode).toBe(400);
    expect(patch.json().error).toMatchObject({ code: 'filter_syntax', details: { position: 7 } });
    const after = ((await me.get('/api/v1/views')).json().items as { id: string; query: string }[]).find((v) => v.id === ok.id);
    expect(after!.query).toBe('status:open');
  });

  it('counts every agent shares stay exact after any change: through the API, by another agent, or a commit no service announced', async () => {
    const countsOf = async (api: ApiClient) => Object.fromEntries(((await api.get('/api/v1/views')).json().items as { id: string; count: number }[]).map((v) => [v.id, v.count]));
    const before = await countsOf(me);
    expect(await countsOf(supervisor)).toMatchObject({ all_open: before.all_open, unassigned: before.unassigned, spam: before.spam });
    const fresh = await createTicket(other, { subject: 'Counted at once' });
    expect(await countsOf(me)).toMatchObject({ all_open: before.all_open! + 1, unassigned: before.unassigned! + 1 });
    expect((await other.patch(`/api/v1/tickets/${fresh.number}`, { spam: true })).statusCode).toBe(200);
    expect(await countsOf(supervisor)).toMatchObject({ all_open: before.all_open, unassigned: before.unassigned, spam: before.spam! + 1 });
    // As another process would (the CLI, a second server): straight into the store, no event.
    await sql`UPDATE tickets SET spam = 0 WHERE number = ${fresh.number}`.execute(t.deps.database.db);
    expect(await countsOf(me)).toMatchObject({ all_open: before.all_open! + 1, spam: before.spam });
    // An agent restricted to a group counts only what it may see.
    const restricted = await t.user({ role: 'agent', groupIds: [support], restrictedToGroups: true });
    expect((await countsOf(restricted)).all_open).toBe(2);
  });
});

describeEachDialect('filter expressions on GET /tickets?q=', (dialect) => {
  let t: TestApp;
  let me: ApiClient;
  let other: ApiClient;
  const n: Record<string, number> = {};

  beforeAll(async () => {
    t = await createTestApp(dialect, { start: '2026-02-01T09:00:00.000Z' });
    const billing = (await t.admin.post('/api/v1/groups', { name: 'Billing Team' })).json().id;
    const support = (await t.admin.post('/api/v1/groups', { name: 'Support' })).json().id;
    me = await t.user({ role: 'agent', name: 'Mia Me', groupIds: [billing] });
    other = await t.user({ role: 'agent', name: 'Otto Other' });
    const make = async (key: string, over: Record<string, unknown>) => {
      t.clock.advance(60_000);
      n[key] = (await createTicket(t.admin, over)).number;
    };
    // Ten days ago
    await make('oldRefund', { subject: 'Refund for order 1001', priority: 'high', tags: ['billing'], groupId: billing, assigneeId: me.userId, message: { body: 'Please send my money back' } });
    await make('oldPrinter', { subject: 'Printer jam', priority: 'urgent', tags: ['hardware'], groupId: support, message: { body: 'Paper stuck again' } });
    t.clock.advance(10 * 86_400_000);
    // Now
    await make('newRefund', { subject: 'Refund please', priority: 'low', tags: ['billing', 'x'], assigneeId: me.userId, message: { body: 'I was charged twice last month' } });
    await make('login', { subject: 'Cannot login', priority: 'high', tags: ['x'], groupId: billing, assigneeId: other.userId, message: { body: 'Password reset mail never arrives' } });
    await make('invoice', { subject: 'Invoice question', priority: 'medium', assigneeId: me.userId, status: 'waiting', message: { body: 'Twice I was charged, is that right?' } });
  });
  afterAll(() => t.close());

  const q = (api: ApiClient, expr: string) => api.get(`/api/v1/tickets?limit=200&q=${enc(expr)}`);
  const expectQ = async (expr: string, keys: string[], api: ApiClient = me) => {
    expect(asc(nums(await q(api, expr))), expr).toEqual(asc(keys.map((k) => n[k]!)));
  };

  it('filters by status, priority, assignee, tag, group and age', async () => {
    await expectQ('status:open', ['oldPrinter']);
    await expectQ('status:open,waiting', ['oldPrinter', 'invoice']);
    await expectQ('status:in_progress', ['oldRefund', 'newRefund', 'login']);
    await expectQ('priority>=high', ['oldRefund', 'oldPrinter', 'login']);
    await expectQ('priority<medium', ['newRefund']);
    await expectQ('priority:medium,low', ['newRefund', 'invoice']);
    await expectQ('assignee:me', ['oldRefund', 'newRefund', 'invoice']);
    await expectQ('assignee:me', ['login'], other);
    await expectQ('assignee:none', ['oldPrinter']);
    await expectQ('-tag:x', ['oldRefund', 'oldPrinter', 'invoice']);
    await expectQ('tag:billing', ['oldRefund', 'newRefund']);
    await expectQ('assignee:me -tag:billing', ['invoice']);
    await expectQ('group:"Billing Team"', ['oldRefund', 'login']);
    await expectQ('group:mine', ['oldRefund', 'login']);
    await expectQ('group:none', ['newRefund', 'invoice']);
    await expectQ('created>7d', ['oldRefund', 'oldPrinter']);
    await expectQ('created<7d', ['newRefund', 'login', 'invoice']);
    await expectQ('created<2026-02-05', ['oldRefund', 'oldPrinter']);
  });

  it('matches words and "phrases" anywhere in subject, messages and requester', async () => {
    await expectQ('"charged twice"', ['newRefund']);
    await expectQ('charged twice', ['newRefund', 'invoice']);
    await expectQ('refund', ['oldRefund', 'newRefund']);
    await expectQ('refund money', ['oldRefund']);
    await expectQ('-refund', ['oldPrinter', 'login', 'invoice']);
    await expectQ('"twice last"', ['newRefund']);
    await expectQ('"last twice"', []);
  });

  it('combines terms with AND, as in the design example', async () => {
    await expectQ('status:open,in_progress priority>=high assignee:me -tag:spam group:"billing team" created>7d "refund"', ['oldRefund']);
    await expectQ('priority>=high assignee:me', ['oldRefund']);
    await expectQ('status:in_progress,waiting assignee:me -tag:billing created<7d', ['invoice']);
    await expectQ('refund created<7d', ['newRefund']);
  });

  it('answers 400 filter_syntax with the position of the problem', async () => {
    const cases: [string, number][] = [
      ['status:opn', 7],
      ['priority>=high colour:red', 15],
      ['group:Nowhere', 6],
      ['assignee:me created:7d', 20],
      ['"unterminated', 0],
      ['status:open priority>>high', 21],
    ];
    for (const [expr, position] of cases) {
      const res = await q(me, expr);
      expect(res.statusCode, expr).toBe(400);
      expect(res.json().error.code, expr).toBe('filter_syntax');
      expect(res.json().error.details.position, expr).toBe(position);
      expect(res.json().error.message, expr).toContain(`position ${position}`);
    }
  });
});

describeEachDialect('keyset pagination over many tickets', (dialect) => {
  let t: TestApp;
  let agent: ApiClient;
  let tickets: TicketJson[];
  const COUNT = 125;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    agent = await t.user({ role: 'agent' });
    // Batches of ten share one creation instant, so the id tie-breaker matters.
    for (let i = 0; i < COUNT; i++) {
      if (i % 10 === 0) t.clock.advance(1000);
      await createTicket(t.admin, { subject: `Bulk ticket ${i}` });
    }
    // Touch some tickets later (several at the same instant) so updated order differs from creation order.
    for (let i = 0; i < COUNT; i += 7) {
      if (i % 3 === 0) t.clock.advance(1000);
      expect((await t.admin.patch(`/api/v1/tickets/${i + 1}`, { priority: 'high' })).statusCode).toBe(200);
    }
    const a = (await agent.get('/api/v1/tickets?limit=200&sort=number_asc')).json();
    tickets = a.items;
    expect(tickets).toHaveLength(COUNT);
  });
  afterAll(() => t.close());

  const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
  const ORDERS: Record<string, (a: TicketJson, b: TicketJson) => number> = {
    updated_desc: (a, b) => cmp(b.updatedAt, a.updatedAt) || cmp(b.id, a.id),
    created_asc: (a, b) => cmp(a.createdAt, b.createdAt) || cmp(a.id, b.id),
    number_desc: (a, b) => b.number - a.number,
  };

  for (const sort of Object.keys(ORDERS)) {
    it(`limit=50 visits every ticket once, in ${sort} order`, async () => {
      const expected = [...tickets].sort(ORDERS[sort]).map((x) => x.number);
      const { pages, all } = await allPages(agent, `/api/v1/tickets?limit=50&sort=${sort}`);
      expect(pages.map((p) => p.length)).toEqual([50, 50, 25]);
      expect(new Set(all).size).toBe(COUNT);
      expect(all).toEqual(expected);
    });
  }

  it('the default sort is updated_desc, and a view pages the same way', async () => {
    const expected = [...tickets].sort(ORDERS.updated_desc).map((x) => x.number);
    expect((await allPages(agent, '/api/v1/tickets?limit=50')).all).toEqual(expected);
    expect((await allPages(agent, '/api/v1/tickets?view=all_open&limit=50')).all).toEqual(expected);
    const high = [...tickets].filter((x) => x.priority === 'high').sort(ORDERS.created_asc).map((x) => x.number);
    expect(high.length).toBe(18);
    const paged = await allPages(agent, `/api/v1/tickets?q=${enc('priority:high')}&sort=created_asc&limit=5`);
    expect(paged.all).toEqual(high);
  });

  it('a cursor that was not issued by the endpoint is a 400 naming the cursor', async () => {
    const res = await agent.get('/api/v1/tickets?cursor=garbage');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.fields[0].path).toBe('cursor');
  });
});

describeEachDialect('full-text search: GET /search', (dialect) => {
  let t: TestApp;
  let agent: ApiClient;
  const n: Record<string, number> = {};

  beforeAll(async () => {
    t = await createTestApp(dialect);
    agent = await t.user({ role: 'agent', name: 'Sid Searcher' });
    const make = async (key: string, over: Record<string, unknown>) => {
      t.clock.advance(60_000);
      n[key] = (await createTicket(t.admin, over)).number;
    };
    await make('kettle', { subject: 'Refund request for broken kettle', requester: { email: 'xavier@quill.test', name: 'Xavier Quill' }, message: { body: 'The descaling light blinks forever.' } });
    await make('shipping', { subject: 'Shipping delay', requester: { email: 'yolanda@ship.test', name: 'Yolanda Ship' }, message: { body: 'I want a refund now.' } });
    await make('hello', { subject: 'Hello there', requester: { email: 'zed@hello.test', name: 'Zed Hello' }, message: { body: 'Nothing relevant here.' } });
    await make('resolved', { subject: 'Old refund case', status: 'resolved', requester: { email: 'old@case.test', name: 'Olga Case' } });
  });
  afterAll(() => t.close());

  const search = async (q: string) => nums(await agent.get(`/api/v1/search?q=${enc(q)}`));

  it('finds tickets by a word of the subject or of a message, newest match first', async () => {
    expect(await search('kettle')).toEqual([n.kettle]);
    expect(await search('descaling')).toEqual([n.kettle]);
    expect(await search('refund')).toEqual([n.resolved, n.shipping, n.kettle]);
    expect(await search('xylophone')).toEqual([]);
  });

  it('finds a reply added later, and the reply makes the ticket the newest match', async () => {
    expect(await search('zucchini')).toEqual([]);
    t.clock.advance(60_000);
    expect((await agent.post(`/api/v1/tickets/${n.hello}/messages`, { kind: 'reply', body: 'Your zucchini refund is on its way.' })).statusCode).toBe(201);
    expect(await search('zucchini')).toEqual([n.hello]);
    expect(await search('refund')).toEqual([n.hello, n.resolved, n.shipping, n.kettle]);
  });

  it('finds tickets by requester name and email', async () => {
    expect(await search('Quill')).toEqual([n.kettle]);
    expect(await search('yolanda')).toEqual([n.shipping]);
    expect(await search('Xavier Quill')).toEqual([n.kettle]);
    expect(await search('xavier@quill.test')).toEqual([n.kettle]);
  });

  it('matches a prefix of the last word', async () => {
    expect(await search('refu')).toEqual(await search('refund'));
    expect(await search('kett')).toEqual([n.kettle]);
    expect(await search('Xav')).toEqual([n.kettle]);
  });

  it('combines words from different parts of a ticket', async () => {
    // "kettle" is in the subject, "descaling" only in the first message.
    expect(await search('kettle descaling')).toEqual([n.kettle]);
    expect(await search('refund descaling')).toEqual([n.kettle]);
    expect(await search('yolanda kettle')).toEqual([]);
  });

  it('combines with filter terms', async () => {
    expect(await search('refund status:open')).toEqual([n.hello, n.shipping, n.kettle]);
    expect(await search('refund status:resolved')).toEqual([n.resolved]);
    expect(await search('refund -status:open')).toEqual([n.resolved]);
    expect(await search('refund -kettle')).toEqual([n.hello, n.resolved, n.shipping]);
    await agent.patch(`/api/v1/tickets/${n.shipping}`, { priority: 'urgent' });
    expect(await search('refund priority:urgent')).toEqual([n.shipping]);
    expect(await search('status:resolved')).toEqual([n.resolved]);
  });

  it('answers 400 filter_syntax naming the position', async () => {
    const res = await agent.get(`/api/v1/search?q=${enc('refund status:opn')}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'filter_syntax', details: { position: 14 } });
    const quote = await agent.get(`/api/v1/search?q=${enc('refund "never closed')}`);
    expect(quote.json().error).toMatchObject({ code: 'filter_syntax', details: { position: 7 } });
    const empty = await agent.get('/api/v1/search?q=');
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.details.fields[0].path).toBe('querystring.q');
  });

  it('pages through many matches without duplicates or gaps, newest first', async () => {
    const created: number[] = [];
    for (let i = 0; i < 23; i++) {
      t.clock.advance(1000);
      // The word is in the subject and in the message: two index rows per ticket.
      created.push((await createTicket(t.admin, { subject: `Gizmo trouble ${i}`, message: { body: `My gizmo number ${i} is broken` } })).number);
    }
    t.clock.advance(1000);
    await agent.post(`/api/v1/tickets/${created[0]}/messages`, { kind: 'reply', body: 'Gizmo replacement shipped' });
    const expected = [created[0]!, ...created.slice(1).reverse()];
    const { pages, all } = await allPages(agent, '/api/v1/search?q=gizmo&limit=10');
    expect(pages.map((p) => p.length).slice(0, 3)).toEqual([10, 10, 3]);
    expect(all).toEqual(expected);
    // With a filter that keeps every other ticket, pages still neither repeat nor skip.
    for (const [i, num] of created.entries()) if (i % 2 === 0) await t.admin.patch(`/api/v1/tickets/${num}`, { addTags: ['even'] });
    const even = expected.filter((x) => created.indexOf(x) % 2 === 0);
    expect((await allPages(agent, `/api/v1/search?q=${enc('gizmo tag:even')}&limit=4`)).all).toEqual(even);
  });

  it('finds the same tickets in the same order whatever the page size: the word itself first, then longer words', async () => {
    const exact: number[] = [];
    const longer: number[] = [];
    for (let i = 0; i < 6; i++) {
      t.clock.advance(1000);
      exact.push((await createTicket(t.admin, { subject: `Marsupial ${i}`, message: { body: `A quokka ate my lunch (${i})` } })).number);
    }
    for (let i = 0; i < 3; i++) {
      t.clock.advance(1000);
      longer.push((await createTicket(t.admin, { subject: `Marsupials ${i}`, message: { body: `Two quokkas in the car park (${i})` } })).number);
    }
    // The newest "quokkas" row is on a ticket that also says "quokka": it is listed once, with the exact matches.
    const both = exact[1]!;
    t.clock.advance(1000);
    await agent.post(`/api/v1/tickets/${both}/messages`, { kind: 'reply', body: 'More quokkas were seen' });
    const newestFirst = (xs: number[]) => [...xs].reverse();
    const expected = [...newestFirst(exact), ...newestFirst(longer)];
    for (const limit of [1, 3, 5, 6, 9, 25]) {
      expect((await allPages(agent, `/api/v1/search?q=quokka&limit=${limit}`)).all, `limit=${limit}`).toEqual(expected);
    }
    expect(asc(expected)).toEqual(asc(nums(await agent.get('/api/v1/tickets?q=quokka&limit=50'))));
    expect(await search('quokkas')).toEqual([both, ...newestFirst(longer)]);
    expect(await search('"a quokka"')).toEqual(newestFirst(exact));
    // No ticket has the word "quok" itself: every ticket starting with it, newest match first.
    expect((await allPages(agent, '/api/v1/search?q=quok&limit=4')).all).toEqual([both, ...newestFirst(longer), ...newestFirst(exact).filter((x) => x !== both)]);
  });

  it('a search with no searchable words finds nothing; with a filter it is the filter', async () => {
    for (const q of ['🎉', '*', '(', '^', "'", '""', '-🎉', ' ( ) ']) {
      const res = await agent.get(`/api/v1/search?q=${enc(q)}`);
      expect([q, res.statusCode, res.json().items, res.json().nextCursor]).toEqual([q, 200, [], null]);
    }
    expect(await search('🎉 status:resolved')).toEqual(await search('status:resolved'));
    expect(await search('🎉 status:resolved')).toEqual([n.resolved]);
  });
});
