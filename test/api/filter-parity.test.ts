import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, createTicket, type ApiClient, type TestApp } from '../support/test-app.js';
import { settle, ticket } from '../automations/support.js';
import { sql } from 'kysely';
import type { Actor } from '../../server/platform/context.js';
import { findTicketsByIds, matchesFilter, parseFilter, resolveTicketFilter, type TicketFacts } from '../../server/modules/tickets/index.js';

/**
 * The filter language as a support lead uses it: the same filter gives the same tickets on both
 * engines and in the in-memory evaluator the rules use, and saved views keep working (or say
 * clearly why not) when what they name goes away.
 */

type UserActor = Extract<Actor, { type: 'user' }>;
const enc = encodeURIComponent;
const nums = (res: LightMyRequestResponse): number[] => {
  if (res.statusCode !== 200) throw new Error(`${res.statusCode} ${res.body}`);
  return (res.json().items as { number: number }[]).map((i) => i.number);
};
const asc = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);

describeEachDialect('filter language: subject beyond ASCII', (dialect) => {
  let t: TestApp;
  const n: Record<string, number> = {};

  beforeAll(async () => {
    t = await createTestApp(dialect);
    for (const [key, subject] of Object.entries({ upper: 'ÉCOLE FERMÉE', lower: 'école ouverte', greek: 'ΣΦΑΛΜΑ στο σύστημα', ascii: 'Printer on FIRE', other: 'Nothing here' })) {
      t.clock.advance(1000);
      n[key] = (await createTicket(t.admin, { subject })).number;
    }
  });
  afterAll(() => t.close());

  it('subject: ignores case in every script, as PostgreSQL and the rules do', async () => {
    const subject = async (needle: string) => asc(nums(await t.admin.get(`/api/v1/tickets?q=${enc(`subject:"${needle}"`)}`)));
    expect(await subject('école')).toEqual(asc([n.upper!, n.lower!]));
    expect(await subject('ÉCOLE')).toEqual(asc([n.upper!, n.lower!]));
    expect(await subject('σφαλμα')).toEqual([n.greek]);
    expect(await subject('ΣΎΣΤΗΜΑ')).toEqual([n.greek]);
    expect(await subject('fire')).toEqual([n.ascii]);
    // Negated, the rest: every other ticket.
    expect(asc(nums(await t.admin.get(`/api/v1/tickets?q=${enc('-subject:école')}`)))).toEqual(asc([n.greek!, n.ascii!, n.other!]));
  });

  it('a routing rule with the same subject filter fires on the same tickets', async () => {
    const rule = await t.admin.post('/api/v1/automations/rules', { name: 'École', kind: 'routing', conditions: { filter: 'subject:ÉCOLE' }, actions: [{ type: 'add_tags', tags: ['ecole'] }] });
    expect(rule.statusCode, rule.body).toBe(201);
    const hit = (await createTicket(t.admin, { subject: 'une école' })).number;
    const miss = (await createTicket(t.admin, { subject: 'un collège' })).number;
    await settle(t);
    expect((await ticket(t, hit)).tags).toEqual(['ecole']);
    expect((await ticket(t, miss)).tags).toEqual([]);
    expect(nums(await t.admin.get(`/api/v1/tickets?q=${enc('subject:ÉCOLE tag:ecole')}`))).toEqual([hit]);
  });
});

describeEachDialect('filter language: SLA terms in rules', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t.close());

  it('a trigger whose filter names sla: or due fires on the tickets a view lists for it', async () => {
    const target = { firstResponse: 60, nextResponse: null, resolution: null };
    const policy = await t.admin.post('/api/v1/sla/policies', { name: 'Everyone', condition: '', targets: { low: target, medium: target, high: target, urgent: target } });
    expect(policy.statusCode, policy.body).toBe(201);
    const trigger = await t.admin.post('/api/v1/automations/rules', {
      name: 'Watch running clocks',
      kind: 'trigger',
      events: ['ticket.updated', 'ticket.priority_changed'],
      conditions: { filter: 'sla:active due<2h -tag:watched' },
      actions: [{ type: 'add_tags', tags: ['watched'] }],
    });
    expect(trigger.statusCode, trigger.body).toBe(201);
    const tk = await createTicket(t.admin, { subject: 'Clock running' });
    await settle(t);
    // The list finds it ...
    expect(nums(await t.admin.get(`/api/v1/tickets?q=${enc('sla:active due<2h')}`))).toEqual([tk.number]);
    // ... and so does the trigger, evaluated in memory on the same ticket.
    expect((await t.admin.patch(`/api/v1/tickets/${tk.number}`, { priority: 'high' })).statusCode).toBe(200);
    await settle(t);
    expect((await ticket(t, tk.number)).tags).toEqual(['watched']);
  });
});

describeEachDialect('saved views whose names went away', (dialect) => {
  let t: TestApp;
  let agent: ApiClient;
  let sup: ApiClient;
  let tier2: string;
  const views: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const billing = (await t.admin.post('/api/v1/groups', { name: 'Billing' })).json().id as string;
    tier2 = (await t.admin.post('/api/v1/groups', { name: 'Tier 2' })).json().id as string;
    agent = await t.user({ role: 'agent', groupIds: [billing] });
    sup = await t.user({ role: 'supervisor' });
    expect((await t.admin.post('/api/v1/custom-fields', { key: 'plan', label: 'Plan', type: 'dropdown', options: ['Gold', 'Silver'] })).statusCode).toBe(201);
    for (let i = 0; i < 4; i++) {
      t.clock.advance(1000);
      await createTicket(t.admin, { groupId: i % 2 ? billing : tier2, customFields: { plan: i % 2 ? 'Gold' : 'Silver' } });
    }
    const save = async (key: string, query: string) => {
      const res = await sup.post('/api/v1/views', { name: key, query, shared: true });
      expect(res.statusCode, res.body).toBe(201);
      views[key] = res.json().id;
    };
    await save('Tier 2', 'group:"tier 2"');
    await save('Gold', 'is:open cf.plan:gold');
    await save('Billing', 'group:billing');
    expect((await t.admin.delete(`/api/v1/groups/${tier2}`)).statusCode).toBe(200);
    const plan = ((await t.admin.get('/api/v1/custom-fields')).json().items as { id: string; key: string }[]).find((f) => f.key === 'plan')!;
    expect((await t.admin.patch(`/api/v1/custom-fields/${plan.id}`, { options: ['Silver', 'Bronze'] })).statusCode).toBe(200);
  });
  afterAll(() => t.close());

  it('the sidebar still lists and counts every other view', async () => {
    for (const who of [agent, sup, t.admin]) {
      const res = await who.get('/api/v1/views');
      expect(res.statusCode, res.body).toBe(200);
      const items = res.json().items as { id: string; name: string; count?: number }[];
      const byName = new Map(items.map((v) => [v.name, v]));
      // A view that no longer resolves has no count; the others keep theirs.
      expect(byName.get('Tier 2')!.count).toBeUndefined();
      // An option removed from the field is still held by tickets: the view still finds them.
      expect(byName.get('Gold')!.count).toBe(2);
      expect(byName.get('Billing')!.count).toBe(2);
      expect(byName.get('All open')!.count).toBe(4);
    }
  });

  it('opening such a view names the view and points into its own query', async () => {
    const group = (await agent.get(`/api/v1/tickets?view=${views['Tier 2']}`)).json().error;
    expect(group).toMatchObject({ code: 'filter_syntax', details: { view: views['Tier 2'], position: 6 } });
    expect(group.message).toContain('Unknown group "tier 2"');
  });

  it('a removed option still finds the tickets that hold it, in a view and in q (it was "Unknown option")', async () => {
    const res = await agent.get(`/api/v1/tickets?view=${views['Gold']}&q=${enc('status:open')}`);
    expect(res.statusCode, res.body).toBe(200);
    expect((res.json().items as { customFields: { plan?: string } }[]).map((i) => i.customFields.plan)).toEqual(['Gold', 'Gold']);
    expect(nums(await agent.get(`/api/v1/tickets?q=${enc('cf.plan:GOLD,silver')}`))).toHaveLength(4);
    expect(nums(await agent.get(`/api/v1/tickets?q=${enc('cf.plan:platinum')}`))).toEqual([]);
  });

  it('a mistake in q beside a view points into q, not into the view', async () => {
    const res = await agent.get(`/api/v1/tickets?view=${views['Billing']}&q=${enc('status:nope')}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toMatchObject({ position: 7, found: 'nope' });
    expect(res.json().error.details.view).toBeUndefined();
    // And the two still combine: is:spam in q lifts the spam default of the view's tickets.
    expect(nums(await agent.get(`/api/v1/tickets?view=${views['Billing']}&q=${enc('is:spam')}`))).toEqual([]);
    expect(nums(await agent.get(`/api/v1/tickets?view=${views['Billing']}&q=${enc('cf.plan:silver')}`))).toEqual([]);
  });
});

describeEachDialect('filter language: boolean words are refused where they go wrong', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    await createTicket(t.admin, { subject: 'Tom or Jerry' });
  });
  afterAll(() => t.close());

  it('answers 400 with the position on the list, the search and a saved view', async () => {
    for (const url of ['/api/v1/tickets?q=', '/api/v1/search?q=']) {
      const res = await t.admin.get(`${url}${enc('status:open OR status:waiting')}`);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'filter_syntax', details: { position: 12, found: 'OR' } });
      const paren = await t.admin.get(`${url}${enc('printer (status:open')}`);
      expect(paren.json().error).toMatchObject({ code: 'filter_syntax', details: { position: 8, found: '(' } });
      // A stray ")" or a quote inside a word was dropped or read as a letter, answering 200.
      expect((await t.admin.get(`${url}${enc('status:open )')}`)).json().error).toMatchObject({ code: 'filter_syntax', details: { position: 12, found: ')' } });
      expect((await t.admin.get(`${url}${enc('tom a"b')}`)).json().error).toMatchObject({ code: 'filter_syntax', details: { position: 5, found: '"' } });
    }
    expect((await t.admin.post('/api/v1/views', { name: 'Either', query: 'tag:a OR tag:b' })).json().error.details).toMatchObject({ position: 6 });
    // Quoted, or in lower case, they are words to search for.
    expect((await t.admin.get(`/api/v1/search?q=${enc('Tom "OR" Jerry')}`)).statusCode).toBe(200);
    expect((await t.admin.get(`/api/v1/search?q=${enc('tom or jerry')}`)).json().items).toHaveLength(1);
  });
});

/** Filters over every field the evaluator reads (text terms aside: the index owns those words). */
const SWEEP = [
  'status:open,in_progress', '-status:closed', 'priority>=high', 'priority<medium', '-priority>urgent', 'type:incident,task', '-channel:api',
  'assignee:me', 'assignee:none', '-assignee:me', 'assignee:me,none', 'is:unassigned', 'group:billing', 'group:mine', 'group:none', '-group:none', 'group:billing,none',
  'org:"big co"', '-org:none', 'requester:bob@bigco.test', 'tag:vip', 'tag:a.b,x:y', '-tag:vip', 'tag:ärger',
  'created:2026-03-01', '-created:2026-03-01', 'created<2026-03-01', 'created<=2026-03-01', 'created>2026-03-01', 'created>=2026-03-01T00:00:00.001Z', 'created>7d', 'updated<1h', 'resolved<30d', '-resolved<30d', 'closed>=2026-01-01',
  'is:starred', '-is:starred', 'is:spam', 'is:merged,spam', 'is:open', '-is:open', 'number>5', '#3', 'reopens>0', 'messages>=2',
  'subject:école', 'subject:ÉCOLE', '-subject:école', 'subject:"100%"', 'subject:_', 'subject:"a,b"', 'sla:active', '-sla:active', 'due<2h', 'sla:overdue',
  'cf.order_id:A-1', '-cf.order_id:A-1', 'cf.order_id:a-1', 'cf.order_id:ärger-7', 'cf.plan:gold,"Bronze, Plus"', '-cf.plan:gold', 'cf.amount>10', 'cf.amount:0', '-cf.amount>=10', 'cf.amount<=10.5',
  'cf.vip:true', 'cf.vip:false', '-cf.vip:true', 'cf.renewal:2026-03-01', '-cf.renewal>2026-03-01', 'cf.features:sso', '-cf.features:sso,api',
  'cf.plan:GOLD', 'cf.features:SSO', '-cf.features:Api',
];

describeEachDialect('filter language: SQL and the in-memory evaluator agree', (dialect) => {
  let t: TestApp;
  const people: Record<string, { client: ApiClient; actor: UserActor }> = {};

  beforeAll(async () => {
    t = await createTestApp(dialect, { start: '2026-02-28T12:00:00.000Z' });
    const a = t.admin;
    const billing = (await a.post('/api/v1/groups', { name: 'Billing' })).json().id as string;
    const tier2 = (await a.post('/api/v1/groups', { name: 'Tier 2' })).json().id as string;
    await a.post('/api/v1/organizations', { name: 'Big Co', domains: ['bigco.test'] });
    const target = { firstResponse: 60, nextResponse: null, resolution: null };
    await a.post('/api/v1/sla/policies', { name: 'Urgent only', condition: 'priority:urgent', targets: { low: target, medium: target, high: target, urgent: target } });
    for (const [key, type, options] of [['order_id', 'text', []], ['plan', 'dropdown', ['Gold', 'Bronze, Plus']], ['amount', 'number', []], ['vip', 'checkbox', []], ['renewal', 'date', []], ['features', 'multi_select', ['sso', 'api']]] as const) {
      expect((await a.post('/api/v1/custom-fields', { key, label: key, type, options })).statusCode).toBe(201);
    }
    const agent = await t.user({ role: 'agent', groupIds: [billing] });
    const restricted = await t.user({ role: 'agent', groupIds: [tier2], restrictedToGroups: true });
    const actor = (c: ApiClient, groupIds: string[], r = false): UserActor => ({ type: 'user', id: c.userId, role: 'agent', name: '', email: c.email, groupIds, restricted: r });
    people.admin = { client: a, actor: { type: 'user', id: a.userId, role: 'admin', name: '', email: a.email, groupIds: [], restricted: false } };
    people.agent = { client: agent, actor: actor(agent, [billing]) };
    people.restricted = { client: restricted, actor: actor(restricted, [tier2], true) };

    const cfs: Record<string, unknown>[] = [{}, { order_id: 'A-1', plan: 'Gold', amount: 10, vip: true, renewal: '2026-03-01', features: ['sso'] }, { order_id: 'a-1', plan: 'Bronze, Plus', amount: 10.5, vip: false, renewal: '2026-02-28', features: ['api', 'sso'] }, { order_id: 'ÄRGER-7', amount: 0, features: [] }];
    // Ticks around midnight UTC, several at the same instant (ties for every sort).
    const times = ['2026-02-28T23:59:59.999Z', '2026-03-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z', '2026-03-01T00:00:00.001Z', '2026-03-01T23:59:59.999Z', '2026-03-02T00:00:00.000Z'];
    const made: number[] = [];
    for (let i = 0; i < 18; i++) {
      t.clock.set(times[Math.floor(i / 3)]!);
      const tk = await createTicket(a, {
        subject: ['ÉCOLE fermée', 'école', '100% off', 'under_score', 'a,b c', 'Printer'][i % 6],
        requester: { email: ['bob@bigco.test', 'carol@customer.test'][i % 2]! },
        priority: ['low', 'medium', 'high', 'urgent'][i % 4],
        type: ['question', 'incident', 'task'][i % 3],
        channel: ['email', 'api', 'chat'][i % 3],
        assigneeId: [null, agent.userId, restricted.userId][i % 3],
        groupId: [null, billing, tier2][Math.floor(i / 2) % 3],
        tags: [[], ['vip'], ['a.b', 'x:y'], ['Ärger']][i % 4],
        customFields: cfs[i % 4],
      });
      made.push(tk.number);
    }
    t.clock.set('2026-03-02T06:00:00.000Z');
    for (const [i, number] of made.entries()) {
      t.clock.advance(i % 2 ? 0 : 60_000);
      const status = ['open', 'in_progress', 'waiting', 'resolved', 'closed'][i % 5]!;
      if (status !== 'open') expect((await a.patch(`/api/v1/tickets/${number}`, { status })).statusCode).toBe(200);
      if (i % 3 === 1) await agent.patch(`/api/v1/tickets/${number}`, { starred: true });
      if (i % 7 === 6) await a.patch(`/api/v1/tickets/${number}`, { spam: true });
      if (i % 5 === 2) await a.post(`/api/v1/tickets/${number}/messages`, { body: 'More' });
    }
    await a.post(`/api/v1/tickets/${made[0]}/merge`, { sourceNumbers: [made[5]] });
    await settle(t);
  });
  afterAll(() => t.close());

  it('every filter lists what the evaluator matches, in order, for every sort and page size', async () => {
    const db = t.deps.database.db;
    const ids = (await sql<{ id: string }>`SELECT id FROM tickets`.execute(db)).rows.map((r) => r.id);
    const stars = (await sql<{ user_id: string; ticket_id: string }>`SELECT user_id, ticket_id FROM ticket_stars`.execute(db)).rows;
    const facts = (await findTicketsByIds(db, ids)).map(
      (tk): TicketFacts => ({ ...tk, hasAttachments: false, starredBy: stars.filter((s) => s.ticket_id === tk.id).map((s) => s.user_id), slaDueAt: tk.sla?.dueAt ?? null, slaBreached: tk.sla?.breached ?? false, slaPaused: tk.sla?.paused ?? false }),
    );
    const now = t.clock.now();
    const newestFirst = (p: TicketFacts, q: TicketFacts) => (p.updatedAt !== q.updatedAt ? (p.updatedAt < q.updatedAt ? 1 : -1) : p.id < q.id ? 1 : -1);
    let compared = 0;
    for (const f of SWEEP) {
      for (const { client, actor } of Object.values(people)) {
        const ctx = { actor, requestId: 'parity', now, db, events: { kick: () => undefined } };
        const filter = await resolveTicketFilter(ctx, parseFilter(f));
        const visible = facts.filter((x) => !actor.restricted || (x.groupId !== null && actor.groupIds.includes(x.groupId)) || x.assigneeId === actor.id);
        const expected = visible.filter((x) => matchesFilter(filter, x, now)).sort(newestFirst).map((x) => x.number);
        expect(nums(await client.get(`/api/v1/tickets?limit=200&q=${enc(f)}`)), `${f} as ${actor.role}${actor.restricted ? ' (restricted)' : ''}`).toEqual(expected);
        compared += expected.length;
      }
      // Pages of two walk the same list for each sort: nothing repeated, nothing skipped.
      for (const sort of ['updated_asc', 'created_desc', 'number_asc'] as const) {
        const whole = nums(await t.admin.get(`/api/v1/tickets?limit=200&sort=${sort}&q=${enc(f)}`));
        const paged: number[] = [];
        let cursor: string | null = null;
        do {
          const res = await t.admin.get(`/api/v1/tickets?limit=2&sort=${sort}&q=${enc(f)}${cursor ? `&cursor=${enc(cursor)}` : ''}`);
          paged.push(...nums(res));
          cursor = res.json().nextCursor;
        } while (cursor);
        expect(paged, `${f} ${sort}`).toEqual(whole);
      }
    }
    expect(compared).toBeGreaterThan(200);
  }, 120_000);

  it('a text field matches whatever the case, in every script; a dropdown keeps its options', async () => {
    const facts = await findTicketsByIds(t.deps.database.db, (await sql<{ id: string }>`SELECT id FROM tickets WHERE merged_into_id IS NULL AND spam = 0`.execute(t.deps.database.db)).rows.map((r) => r.id));
    const holding = (...values: string[]) => facts.filter((x) => values.includes(x.customFields.order_id as string)).map((x) => x.number).sort((p, q) => p - q);
    const found = async (q: string) => nums(await t.admin.get(`/api/v1/tickets?limit=200&sort=number_asc&q=${enc(q)}`));
    expect(holding('A-1').length).toBeGreaterThan(0);
    expect(holding('a-1').length).toBeGreaterThan(0);
    expect(await found('cf.order_id:a-1')).toEqual(holding('A-1', 'a-1'));
    expect(await found('cf.order_id:A-1')).toEqual(holding('A-1', 'a-1'));
    expect(await found('cf.order_id:ärger-7')).toEqual(holding('ÄRGER-7'));
  });
});
