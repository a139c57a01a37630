import type { Kysely } from 'kysely';
import type { Ctx } from '../../platform/context.js';
import type { AnyDb } from '../../platform/db/database.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { getSettings, requireAdmin } from '../auth/index.js';
import type { ReportScope } from './report-scope.js';
import { countByDay, reopensByDay, type DayCount } from './reports.repository.js';
import type { ReportTables } from './reports.tables.js';
import { bumpStats, buildStats, daysApart, statCellsOf } from './rollup-stats.repository.js';
import { currentTagsAndTime, type TimeDay } from './rollup-time-tags.repository.js';
import { bumpDaily, buildRollups, clearRollups, keysOf, readDaily, readFacts, ROLLUP_DIMS, sumBefore, ticketForFacts, writeFacts, type DailyDelta, type Metric, type ReplyDay, type RollupDim, type TicketFacts } from './rollups.repository.js';
import { localDateOf, offsetSegments } from './time-buckets.js';

/**
 * Daily rollups: the volume, backlog, speed, quality and agent figures of unfiltered reports
 * read a few thousand rows instead of every ticket in the range. Rebuilt from the tickets and their event log (job and
 * admin endpoint), kept current by ticket events, used only when built for the account's time
 * zone; otherwise reports run their live queries, which give the same figures.
 */

const q = (db: AnyDb) => db as Kysely<ReportTables>;
const STATE_KEY = 'rollups';
/** Bumped when what the rollups hold changes: older rollups are then rebuilt, and unused until then. */
const ROLLUPS_VERSION = 4;

async function rollupZone(db: AnyDb): Promise<string | null> {
  const r = await q(db).selectFrom('report_settings').select('value').where('key', '=', STATE_KEY).executeTakeFirst();
  const state = r ? (JSON.parse(r.value) as { timeZone?: string; version?: number }) : null;
  return state && state.version === ROLLUPS_VERSION ? (state.timeZone ?? null) : null;
}

async function setRollupZone(db: AnyDb, timeZone: string, at: string): Promise<void> {
  const value = JSON.stringify({ timeZone, version: ROLLUPS_VERSION, builtAt: at });
  await q(db).insertInto('report_settings').values({ key: STATE_KEY, value, updated_at: at }).onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: at })).execute();
}

/** Rebuilds every rollup in the account's time zone, in one transaction. */
export async function rebuildRollups(ctx: Ctx): Promise<{ timeZone: string; tickets: number }> {
  requireAdmin(ctx.actor);
  const { timeZone } = await getSettings(ctx);
  return inTransaction(ctx, async (tx) => {
    const first = await q(tx.db).selectFrom('tickets').select((eb) => eb.fn.min('created_at').as('m')).executeTakeFirst();
    const from = first?.m ? new Date(first.m as string) : tx.now;
    const stretches = offsetSegments(timeZone, new Date(from.getTime() - 86_400_000), new Date(tx.now.getTime() + 2 * 86_400_000));
    await clearRollups(tx.db);
    await buildRollups(tx.db, timeZone, stretches);
    await buildStats(tx.db, timeZone);
    await setRollupZone(tx.db, timeZone, tx.now.toISOString());
    const n = await q(tx.db).selectFrom('report_ticket_facts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    return { timeZone, tickets: Number(n?.n ?? 0) };
  });
}

/** Rebuilds when the rollups are missing or were built for another time zone (periodic job). */
export async function ensureRollups(ctx: Ctx): Promise<boolean> {
  const { timeZone } = await getSettings(ctx);
  if ((await rollupZone(ctx.db)) === timeZone) return false;
  await rebuildRollups(ctx);
  return true;
}

/** Replies per agent and local day, with the days since that agent's previous reply day (sorted as stored). */
function replyDays(repliedAt: { agentId: string; at: string }[], tz: string): ReplyDay[] {
  const counts = new Map<string, ReplyDay>();
  for (const r of repliedAt) {
    const day = localDateOf(tz, new Date(r.at));
    const id = `${r.agentId}\u0000${day}`;
    const c = counts.get(id) ?? { agentId: r.agentId, day, n: 0, gap: 0 };
    c.n += 1;
    counts.set(id, c);
  }
  return withGaps([...counts.values()]);
}

/** Sorted by agent and day (as stored), each with the days since that agent's previous day (0: first). */
function withGaps<T extends { agentId: string; day: string; gap: number }>(rows: T[]): T[] {
  const out = [...rows].sort((a, b) => (a.agentId === b.agentId ? (a.day < b.day ? -1 : 1) : a.agentId < b.agentId ? -1 : 1));
  out.forEach((r, i) => {
    const prev = out[i - 1];
    r.gap = prev && prev.agentId === r.agentId ? daysApart(prev.day, r.day) : 0;
  });
  return out;
}

function factsOf(t: NonNullable<Awaited<ReturnType<typeof ticketForFacts>>>, current: Awaited<ReturnType<typeof currentTagsAndTime>>, tz: string): TicketFacts {
  return {
    created: localDateOf(tz, new Date(t.createdAt)),
    resolved: t.resolvedAt ? localDateOf(tz, new Date(t.resolvedAt)) : null,
    reopened: [...new Set(t.reopenedAt.map((a) => localDateOf(tz, new Date(a))))].sort(),
    keys: t.keys,
    tags: current.tags,
    firstResponse: t.firstResponse,
    resolution: t.resolution,
    flags: t.flags,
    replies: replyDays(t.repliedAt, tz),
    time: withGaps<TimeDay>(current.time.map((x) => ({ ...x, gap: 0 }))),
  };
}

/** Moves one ticket's contribution from what it was to what it is now (idempotent). */
export async function refreshTicketRollups(db: AnyDb, ticketId: string): Promise<void> {
  const tz = await rollupZone(db);
  if (!tz) return;
  const row = await ticketForFacts(db, ticketId);
  const next = row ? factsOf(row, await currentTagsAndTime(db, ticketId), tz) : null;
  const prev = await readFacts(db, ticketId);
  if (JSON.stringify(prev) === JSON.stringify(next)) return;
  const cells = (f: TicketFacts | null): [Metric, string][] =>
    f ? [...(f.created ? [['created', f.created] as [Metric, string]] : []), ...(f.resolved ? [['resolved', f.resolved] as [Metric, string]] : []), ...f.reopened.map((d) => ['reopened', d] as [Metric, string])] : [];
  const daily: DailyDelta[] = [];
  for (const dim of ROLLUP_DIMS) {
    for (const [metric, day] of cells(prev)) for (const key of keysOf(prev!, dim)) daily.push({ metric, dim, key, day, n: -1 });
    for (const [metric, day] of cells(next)) for (const key of keysOf(next!, dim)) daily.push({ metric, dim, key, day, n: 1 });
  }
  await bumpDaily(db, tz, daily);
  await bumpStats(db, tz, [...(prev ? statCellsOf(prev) : []).map((cell) => ({ cell, sign: -1 as const })), ...(next ? statCellsOf(next) : []).map((cell) => ({ cell, sign: 1 as const }))]);
  await writeFacts(db, ticketId, next, prev === null);
}

const rollupDim = (by: ReportScope['by']): RollupDim | null => ((ROLLUP_DIMS as readonly string[]).includes(by) ? (by as RollupDim) : null);

/** Whether a report over this scope can read the rollups (no filter, no visibility scope, same zone). */
export async function usable(ctx: Ctx, scope: ReportScope, by: ReportScope['by']): Promise<RollupDim | null> {
  const dim = rollupDim(by);
  if (!dim || scope.filter !== '' || !scope.unrestricted || scope.live) return null;
  return (await rollupZone(ctx.db)) === scope.timeZone ? dim : null;
}

/** Created / resolved / reopened per local day and key: from the rollups when they apply. */
export async function dailyCounts(ctx: Ctx, scope: ReportScope, metric: Metric, by: ReportScope['by']): Promise<DayCount[]> {
  const dim = await usable(ctx, scope, by);
  if (dim) return (await readDaily(ctx.db, scope.timeZone, metric, dim, scope.from, scope.to)).map((r) => ({ day: r.day, key: r.key, n: r.n }));
  if (metric === 'reopened') return reopensByDay(ctx.db, scope, by);
  return countByDay(ctx.db, scope, metric === 'created' ? 'created_at' : 'resolved_at', by);
}

/** Tickets created (or resolved) before the range, for the backlog. */
export async function countBeforeRange(ctx: Ctx, scope: ReportScope, metric: 'created' | 'resolved', live: () => Promise<number>): Promise<number> {
  return (await usable(ctx, scope, 'none')) ? sumBefore(ctx.db, scope.timeZone, metric, scope.from) : live();
}
