import type { z } from 'zod';
import { reportQuery, type ReportName } from '../../../contracts/reports.js';
import type { Ctx } from '../../platform/context.js';
import { getSettings, requireAdmin } from '../auth/index.js';
import { runReport } from './reports.service.js';
import { ROLLUP_DIMS } from './rollups.repository.js';
import { ensureRollups, rebuildRollups } from './rollups.service.js';
import { addDays, localDateOf } from './time-buckets.js';

export interface RollupCheck {
  from: string;
  to: string;
  /** Reports (and splits) whose rollup figures differ from the live queries over the event log. */
  mismatches: string[];
  rebuilt: boolean;
}

const CHECKED: { report: ReportName; dims: readonly (typeof ROLLUP_DIMS)[number][] }[] = [
  { report: 'volume', dims: ROLLUP_DIMS },
  { report: 'speed', dims: ROLLUP_DIMS },
  { report: 'quality', dims: ROLLUP_DIMS },
  { report: 'backlog', dims: ['none'] },
  { report: 'agents', dims: ['none'] },
  // All three splits of time logged (agent, type, organization) are in every time report.
  { report: 'time', dims: ['none'] },
];

/**
 * Compares every rollup-backed figure with the same report computed live from the tickets and
 * their event log over the last `days` local days; on any difference rebuilds (when `repair`).
 * Slow on purpose (it runs the live queries): for the daily job and the admin endpoint.
 */
export async function checkRollups(ctx: Ctx, opts: { days?: number; repair?: boolean } = {}): Promise<RollupCheck> {
  requireAdmin(ctx.actor);
  await ensureRollups(ctx);
  const { timeZone } = await getSettings(ctx);
  const to = localDateOf(timeZone, ctx.now);
  const from = addDays(to, -((opts.days ?? 90) - 1));
  const mismatches: string[] = [];
  for (const c of CHECKED) {
    for (const by of c.dims) {
      const input: z.output<typeof reportQuery> = reportQuery.parse({ from, to, by, interval: 'day' });
      const [fast, live] = await Promise.all([runReport(ctx, c.report, input), runReport(ctx, c.report, input, { live: true })]);
      if (JSON.stringify(fast.tables) !== JSON.stringify(live.tables)) mismatches.push(`${c.report} by ${by}`);
    }
  }
  const rebuilt = mismatches.length > 0 && (opts.repair ?? false);
  if (rebuilt) await rebuildRollups(ctx);
  return { from, to, mismatches, rebuilt };
}
