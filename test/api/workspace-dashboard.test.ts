import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { activeQuery, createdTodayQuery, resolvedQuery, type DashboardWindow } from '../../server/modules/tickets/dashboard.repository.js';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, createTicket, type ApiClient, type TestApp } from '../support/test-app.js';

/**
 * The workspace's mini dashboard. "Today" is Berlin's 10 March: from 09 Mar 23:00 UTC to
 * 10 Mar 23:00 UTC; it is now 10 Mar 22:30 UTC (23:30 in Berlin).
 */
describeEachDialect('workspace: mini dashboard', (dialect) => {
  let t: TestApp;
  let alice: ApiClient;
  let bob: ApiClient;
  let groupId: string;

  const at = (iso: string) => t.clock.set(iso);
  const resolve = async (number: number) => expect((await t.admin.patch(`/api/v1/tickets/${number}`, { status: 'resolved' })).statusCode).toBe(200);

  beforeAll(async () => {
    t = await createTestApp(dialect, { start: '2026-03-01T10:00:00.000Z' });
    expect((await t.admin.patch('/api/v1/settings', { timeZone: 'Europe/Berlin' })).statusCode).toBe(200);
    groupId = (await t.admin.post('/api/v1/groups', { name: 'Billing' })).json().id;
    alice = await t.user({ role: 'agent', name: 'Alice Agent', groupIds: [groupId] });
    bob = await t.user({ role: 'agent', name: 'Bob Agent' });

    const t5 = await createTicket(t.admin, { subject: 'slow one', assigneeId: bob.userId });
    at('2026-03-02T10:00:00.000Z');
    const t9 = await createTicket(t.admin, { subject: 'resolved too long ago', assigneeId: alice.userId });
    at('2026-03-02T11:00:00.000Z');
    await resolve(t9.number);
    at('2026-03-05T08:00:00.000Z');
    const t4 = await createTicket(t.admin, { subject: 'fast one', assigneeId: alice.userId });
    at('2026-03-05T10:00:00.000Z');
    await resolve(t4.number);
    at('2026-03-06T12:00:00.000Z');
    await resolve(t5.number);
    at('2026-03-09T22:30:00.000Z'); // 23:30 in Berlin on the 9th: yesterday
    const t3 = await createTicket(t.admin, { subject: 'waiting on customer', assigneeId: bob.userId });
    await t.admin.patch(`/api/v1/tickets/${t3.number}`, { status: 'waiting' });
    at('2026-03-09T23:30:00.000Z'); // 00:30 in Berlin on the 10th: today
    await createTicket(t.admin, { subject: 'mine in progress', assigneeId: alice.userId });
    at('2026-03-10T20:00:00.000Z');
    const t1 = await createTicket(t.admin, { subject: 'unassigned, no group' });
    await createTicket(t.admin, { subject: 'unassigned in my group', groupId });
    const t7 = await createTicket(t.admin, { subject: 'spam' });
    await t.admin.patch(`/api/v1/tickets/${t7.number}`, { spam: true });
    const t6 = await createTicket(t.admin, { subject: 'resolved today', assigneeId: alice.userId });
    const t8 = await createTicket(t.admin, { subject: 'duplicate' });
    at('2026-03-10T21:00:00.000Z');
    await resolve(t6.number);
    expect((await t.admin.post(`/api/v1/tickets/${t1.number}/merge`, { sourceNumbers: [t8.number] })).statusCode).toBe(200);
    at('2026-03-10T22:30:00.000Z');
  });
  afterAll(() => t.close());

  it('counts today in the installation time zone, for me and for everyone', async () => {
    const res = await alice.get('/api/v1/dashboard');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      timeZone: 'Europe/Berlin',
      today: { from: '2026-03-09T23:00:00.000Z', to: '2026-03-10T23:00:00.000Z' },
      // Created today: mine in progress, resolved today; resolved in 7 days: fast one, resolved today.
      me: { createdToday: 2, resolvedToday: 1, inProgress: 1, waiting: 0, unassigned: 1, resolvedLast7Days: 2, resolvedWithin24h: 2, resolvedWithin24hRate: 1 },
      // Spam never counts; the merged duplicate was created today but was closed, not resolved.
      everyone: { createdToday: 5, resolvedToday: 1, inProgress: 1, waiting: 1, unassigned: 2, resolvedLast7Days: 3, resolvedWithin24h: 2, resolvedWithin24hRate: 2 / 3 },
      generatedAt: '2026-03-10T22:30:00.000Z',
    });
    const bobs = (await bob.get('/api/v1/dashboard')).json();
    expect(bobs.me).toMatchObject({ createdToday: 0, waiting: 1, unassigned: 0, resolvedLast7Days: 1, resolvedWithin24h: 0, resolvedWithin24hRate: 0 });
  });

  it('counts for "everyone" only the tickets a restricted agent may see', async () => {
    const rita = await t.user({ role: 'agent', name: 'Rita Restricted', groupIds: [groupId], restrictedToGroups: true });
    const res = await rita.get('/api/v1/dashboard');
    expect(res.statusCode).toBe(200);
    // Of today's tickets only "unassigned in my group" is in Billing; the rest has no group or is assigned to others.
    const visible = { createdToday: 1, resolvedToday: 0, inProgress: 0, waiting: 0, unassigned: 1, resolvedLast7Days: 0, resolvedWithin24h: 0, resolvedWithin24hRate: null };
    expect(res.json()).toMatchObject({ me: { ...visible, createdToday: 0 }, everyone: visible });
  });

  it('moves "today" with the time zone setting', async () => {
    expect((await t.admin.patch('/api/v1/settings', { timeZone: 'UTC' })).statusCode).toBe(200);
    const utc = (await alice.get('/api/v1/dashboard')).json();
    expect(utc.today).toEqual({ from: '2026-03-10T00:00:00.000Z', to: '2026-03-11T00:00:00.000Z' });
    // The ticket created 23:30 UTC on the 9th is yesterday in UTC.
    expect(utc.everyone.createdToday).toBe(4);
    expect(utc.me.createdToday).toBe(1);
    await t.admin.patch('/api/v1/settings', { timeZone: 'Europe/Berlin' });
  });

  it('has no rate when nothing was resolved, and is for agents only', async () => {
    const fresh = await t.user({ role: 'agent', name: 'New Hire' });
    expect((await fresh.get('/api/v1/dashboard')).json().me).toMatchObject({ resolvedLast7Days: 0, resolvedWithin24hRate: null });
    expect((await t.anonymous.get('/api/v1/dashboard')).statusCode).toBe(401);
  });

  it('serves each count from one covering index, never the table (read from the query plans)', async () => {
    const w: DashboardWindow = { me: alice.userId, myGroupIds: [groupId], dayFrom: '2026-03-09T23:00:00.000Z', dayTo: '2026-03-10T23:00:00.000Z', weekFrom: '2026-03-03T22:30:00.000Z', scope: null };
    const db = t.deps.database.db;
    const plan = async (q: { compile(): CompiledQuery }): Promise<string> => {
      const c = q.compile();
      if (dialect === 'sqlite') {
        const rows = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${c.sql}`, [...c.parameters]));
        return rows.rows.map((r) => r.detail).join('\n');
      }
      // A handful of test rows would be read sequentially; at scale the planner takes the index.
      await sql`ANALYZE tickets`.execute(db);
      return db.transaction().execute(async (trx) => {
        await sql`SET LOCAL enable_seqscan = off`.execute(trx);
        await sql`SET LOCAL enable_bitmapscan = off`.execute(trx);
        const rows = await trx.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`EXPLAIN ${c.sql}`, [...c.parameters]));
        return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
      });
    };
    const expectIndexOnly = (text: string, index: string) => {
      const steps = text.split('\n').filter((l) => /(SCAN|SEARCH|Scan)\b.*tickets/.test(l));
      expect(steps.length).toBeGreaterThan(0);
      // SQLite: every step reads the one covering index, no table scan, no other index, no lookups.
      // PostgreSQL costs a 15-row table by guesswork and may pick any index whose leading column
      // matches (the sweep's status indexes, for one), so here it only must not scan the table;
      // the same migration made the covering index the SQLite plan proves.
      for (const step of steps) expect(step).toMatch(dialect === 'sqlite' ? new RegExp(`SEARCH tickets USING COVERING INDEX ${index} `) : /Index (Only )?Scan using tickets_/);
    };
    expectIndexOnly(await plan(createdTodayQuery(db, w)), 'tickets_dash_created');
    expectIndexOnly(await plan(resolvedQuery(db, w)), 'tickets_dash_resolved');
    expectIndexOnly(await plan(activeQuery(db, w)), 'tickets_dash_active');
  });
});
