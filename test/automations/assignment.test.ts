import { afterAll, beforeAll, expect, it } from 'vitest';
import { assignByStrategy } from '../../server/modules/automations/assignment.service.js';
import { applyChanges, requireTicketById } from '../../server/modules/tickets/index.js';
import { inTransaction } from '../../server/platform/db/transaction.js';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, createTicket, type ApiClient, type TestApp } from '../support/test-app.js';
import { group, patchUser, rule, setStrategy, settle, ticket } from './support.js';

/** Assignment strategies per group, set up through the API; tickets come in by API and are read back. */
describeEachDialect('automations: assignment strategies', (dialect) => {
  let t: TestApp;
  const agents: ApiClient[] = [];

  beforeAll(async () => {
    t = await createTestApp(dialect);
    // Created in order, so their ids (UUIDv7) sort in this order too.
    for (const name of ['Ann', 'Ben', 'Cat']) agents.push(await t.user({ role: 'agent', name }));
  });
  afterAll(() => t.close());

  /** A group with the strategy, and a routing rule sending tickets tagged `<key>` there to be assigned. */
  async function setup(key: string, strategy: Record<string, unknown>, members = agents): Promise<string> {
    const g = await group(t, `Group ${key}`, members.map((a) => a.userId));
    await setStrategy(t, g, strategy);
    await rule(t, { name: `Route ${key}`, kind: 'routing', conditions: { filter: `tag:${key}` }, actions: [{ type: 'set_group', groupId: g }, { type: 'assign' }] });
    return g;
  }
  const incoming = async (key: string, over: Record<string, unknown> = {}) => {
    const tk = await createTicket(t.admin, { subject: `For ${key}`, ...over, tags: [key, ...((over.tags as string[] | undefined) ?? [])] });
    await settle(t);
    return ticket(t, tk.number);
  };
  const names = (ids: (string | undefined)[]) => ids.map((id) => ['Ann', 'Ben', 'Cat'][agents.findIndex((a) => a.userId === id)] ?? 'nobody');

  it('round robin takes turns among available agents and skips the unavailable', async () => {
    await setup('rr', { strategy: 'round_robin' });
    const got = [];
    for (let i = 0; i < 4; i++) got.push((await incoming('rr')).assignee?.id);
    expect(names(got)).toEqual(['Ann', 'Ben', 'Cat', 'Ann']);
    await patchUser(t, agents[1]!.userId, { available: false });
    expect(names([(await incoming('rr')).assignee?.id, (await incoming('rr')).assignee?.id])).toEqual(['Cat', 'Ann']);
    await patchUser(t, agents[1]!.userId, { available: true });
  });

  it('least loaded picks the agent with the fewest open tickets within their max load; a full team leaves the ticket unassigned in the group', async () => {
    const [ann, ben] = agents as [ApiClient, ApiClient];
    const g = await setup('ll', { strategy: 'least_loaded' }, [ann, ben]);
    // Ann has more open tickets than Ben after the round-robin test.
    const counts = async (a: ApiClient) => (await t.admin.get(`/api/v1/tickets?q=${encodeURIComponent(`is:open assignee:${a.userId}`)}&limit=200`)).json().items.length as number;
    const before = { ann: await counts(ann), ben: await counts(ben) };
    expect(before.ann).toBeGreaterThan(before.ben);
    expect(names([(await incoming('ll')).assignee?.id])).toEqual(['Ben']);
    await patchUser(t, ann.userId, { maxLoad: await counts(ann) });
    await patchUser(t, ben.userId, { maxLoad: await counts(ben) });
    const full = await incoming('ll');
    expect(full).toMatchObject({ groupId: g, assignee: null, status: 'open' });
    // Unassigned and visible in the group's queue.
    const queue = (await t.admin.get(`/api/v1/tickets?q=${encodeURIComponent(`group:${g} assignee:none`)}`)).json().items as { number: number }[];
    expect(queue.map((x) => x.number)).toContain(full.number);
    await patchUser(t, ann.userId, { maxLoad: null });
    await patchUser(t, ben.userId, { maxLoad: null });
  });

  it('skill based needs every skill the ticket asks for (skill:<name> tags)', async () => {
    const [ann, ben, cat] = agents as [ApiClient, ApiClient, ApiClient];
    await patchUser(t, ann.userId, { skills: ['french'] });
    await patchUser(t, ben.userId, { skills: ['french', 'billing'] });
    await patchUser(t, cat.userId, { skills: ['german'] });
    await setup('sk', { strategy: 'skill_based' });
    expect(names([(await incoming('sk', { tags: ['skill:french', 'skill:billing'] })).assignee?.id])).toEqual(['Ben']);
    expect(names([(await incoming('sk', { tags: ['skill:german'] })).assignee?.id])).toEqual(['Cat']);
    expect((await incoming('sk', { tags: ['skill:japanese'] })).assignee).toBeNull();
  });

  it('VIP contacts go to the named senior agents; manual Keep and Forward still work afterwards', async () => {
    const [ann, ben, cat] = agents as [ApiClient, ApiClient, ApiClient];
    const g = await group(t, 'VIP desk', [ann.userId, ben.userId, cat.userId]);
    await setStrategy(t, g, { strategy: 'vip', seniorAgentIds: [cat.userId] });
    await rule(t, { name: 'Route vip', kind: 'routing', conditions: { filter: 'tag:vipdesk' }, actions: [{ type: 'set_group', groupId: g }, { type: 'assign' }] });
    const contact = await t.admin.post('/api/v1/contacts', { name: 'Very Important', emails: [`boss-${dialect}@big.test`], vip: true });
    expect(contact.statusCode, contact.body).toBe(201);
    const vip = await incoming('vipdesk', { requester: { email: `boss-${dialect}@big.test`, name: 'Very Important' }, tags: ['vipdesk'] });
    expect(names([vip.assignee?.id])).toEqual(['Cat']);
    const normal = await incoming('vipdesk', { requester: { email: `pleb-${dialect}@small.test`, name: 'Normal' } });
    expect(normal.assignee?.id).not.toBe(cat.userId);

    // Keep (take it yourself) and Forward (to another group, unassigned) are plain edits; rules leave them be.
    expect((await ann.patch(`/api/v1/tickets/${vip.number}`, { assigneeId: ann.userId })).statusCode).toBe(200);
    const other = await group(t, 'Elsewhere', []);
    expect((await ann.patch(`/api/v1/tickets/${normal.number}`, { groupId: other, assigneeId: null })).statusCode).toBe(200);
    await settle(t);
    expect((await ticket(t, vip.number)).assignee?.id).toBe(ann.userId);
    expect(await ticket(t, normal.number)).toMatchObject({ groupId: other, assignee: null });
  });

  // PostgreSQL only: there two rule runs assign side by side; SQLite's one writer runs them in turn.
  it.skipIf(dialect !== 'postgres')('two tickets assigned side by side never take an agent past their max load', async () => {
    const solo = await t.user({ role: 'agent', name: 'Solo' });
    const g = await group(t, 'Capped', [solo.userId]);
    await setStrategy(t, g, { strategy: 'least_loaded' });
    await patchUser(t, solo.userId, { maxLoad: 1 });
    const [a, b] = [await createTicket(t.admin, { subject: 'Capped A', groupId: g }), await createTicket(t.admin, { subject: 'Capped B', groupId: g })];
    await settle(t);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let chose!: (id: string | null) => void;
    const firstChoice = new Promise<string | null>((r) => (chose = r));
    // The first assignment is made and not yet committed when the second counts the loads.
    const first = inTransaction(t.systemCtx(), async (tx) => {
      const tk = await requireTicketById(tx, a.id, { lock: true });
      const chosen = await assignByStrategy(tx, tk);
      await applyChanges(tx, tk, { assigneeId: chosen });
      chose(chosen);
      await gate;
    });
    expect(await firstChoice).toBe(solo.userId);
    const second = inTransaction(t.systemCtx(), async (tx) => assignByStrategy(tx, await requireTicketById(tx, b.id, { lock: true })));
    await Promise.race([second, new Promise((r) => setTimeout(r, 300))]);
    release();
    await first;
    expect(await second).toBeNull();
  });

  it('strategy settings are admin-only and checked', async () => {
    const g = await group(t, 'Checked', [agents[0]!.userId]);
    expect((await t.admin.get(`/api/v1/groups/${g}/assignment`)).json()).toMatchObject({ strategy: 'least_loaded', seniorAgentIds: [] });
    const asAgent = await t.app.inject({ method: 'PUT', url: `/api/v1/groups/${g}/assignment`, headers: { authorization: `Bearer ${agents[0]!.token}` }, payload: { strategy: 'manual' } });
    expect(asAgent.statusCode).toBe(403);
    const notMember = await t.app.inject({ method: 'PUT', url: `/api/v1/groups/${g}/assignment`, headers: { authorization: `Bearer ${t.admin.token}` }, payload: { strategy: 'vip', seniorAgentIds: [agents[1]!.userId] } });
    expect(notMember.statusCode).toBe(400);
    expect(JSON.stringify(notMember.json().error.details)).toContain('seniorAgentIds.0');
  });
});
