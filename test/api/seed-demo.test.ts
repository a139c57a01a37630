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
