import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedDemo } from '../../server/seed/demo-data.js';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

describeEachDialect('seed-demo data', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    await seedDemo(t.systemCtx(), { tickets: 60 });
    await t.deps.events.idle();
    await t.deps.jobs.drain();
    // Sixty tickets, each through the services in its own transactions: slow on a busy machine.
  }, 180_000);
  afterAll(() => t.close());

  it('fills every report a manager opens: volume, time logged and satisfaction ratings', async () => {
    type Table = { id: string; rows: { cells: Record<string, number | string | null> }[]; totals: { cells: Record<string, number | string | null> } | null };
    const tables = async (report: string): Promise<Table[]> => {
      const res = await t.admin.get(`/api/v1/reports/${report}`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json().tables;
    };
    const volume = (await tables('volume')).find((x) => x.id === 'volume')!;
    expect(volume.rows.reduce((n, r) => n + Number(r.cells.created), 0)).toBe(60);
    const time = (await tables('time')).find((x) => x.id === 'time-agent')!;
    expect(time.rows.length).toBeGreaterThan(1);
    expect(Number(time.totals!.cells.minutes)).toBeGreaterThan(0);
    const csat = (await tables('csat'))[0]!.totals!.cells;
    expect(Number(csat.rated)).toBeGreaterThan(0);
    expect(Number(csat.rated)).toBeLessThanOrEqual(Number(csat.resolved));
    expect(Number(csat.csatScore)).toBeGreaterThan(0);
    expect(Number(csat.csatScore)).toBeLessThan(1);
  });
});

describeEachDialect('seed-demo on an install that already has people', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  }, 60_000);
  afterAll(() => t.close());

  it('makes its own agents beside a deactivated one, reuses them on a second run and dates nothing in the future', async () => {
    // The install's only agent has left: demo tickets must not be assigned to them (that failed with "not an active agent").
    const gone = await t.user({ role: 'agent', name: 'Gone Agent' });
    expect((await t.admin.patch(`/api/v1/users/${gone.userId}`, { active: false })).statusCode).toBe(200);
    const first = await seedDemo(t.systemCtx(), { tickets: 12 });
    const second = await seedDemo(t.systemCtx(), { tickets: 3 });
    expect(first.agents).toBe(6);
    expect(second.agents).toBe(6);
    const users = (await t.admin.get('/api/v1/users')).json() as { items?: { email: string }[] } | { email: string }[];
    const list = Array.isArray(users) ? users : users.items!;
    expect(list.filter((u) => u.email.endsWith('@demo.test'))).toHaveLength(6);
    const groups = (await t.admin.get('/api/v1/groups')).json() as { items?: { name: string }[] } | { name: string }[];
    expect((Array.isArray(groups) ? groups : groups.items!).filter((g) => g.name === 'Billing')).toHaveLength(1);
    const latest = await t.deps.database.db.selectFrom('messages').select((eb) => eb.fn.max('created_at').as('at')).executeTakeFirstOrThrow();
    expect(String(latest.at) <= t.systemCtx().now.toISOString(), String(latest.at)).toBe(true);
    const tickets = (await t.admin.get('/api/v1/tickets?limit=100')).json() as { items: { assignee: { id: string } | null }[] };
    expect(tickets.items.length).toBe(15);
    expect(tickets.items.some((x) => x.assignee?.id === gone.userId)).toBe(false);
  }, 180_000);
});
