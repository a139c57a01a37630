import type { Kysely } from 'kysely';
import type { Ctx } from '../../platform/context.js';
import type { AnyDb } from '../../platform/db/database.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { getSettings, requireAdmin } from '../auth/index.js';
import type { ReportScope } from './report-scope.js';
import { countByDay, reopensByDay, type DayCount } from './reports.repository.js';
import type { ReportTables } from './reports.tables.js';
import { bumpStats, buildStats, daysApart, statCellsOf, type StatCell } from './rollup-stats.repository.js';
import { currentTagsAndTime, type TimeDay } from './rollup-time-tags.repository.js';
import { analyzeRollups, bumpDaily, buildRollups, clearRollups, IDS_CHUNK, keysOf, readDaily, readFacts, ROLLUP_DIMS, sumBefore, ticketsForFacts, writeFacts, type DailyDelta, type FactsSource, type FactsWrite, type Metric, type ReplyDay, type RollupDim, type TicketFacts } from './rollups.repository.js';
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
    await analyzeRollups(tx.db);
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

function factsOf(t: FactsSource, current: { tags: string[]; time: Omit<TimeDay, 'gap'>[] }, tz: string): TicketFacts {
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

const cellsOf = (f: TicketFacts | null): [Metric, string][] =>
  f ? [...(f.created ? [['created', f.created] as [Metric, string]] : []), ...(f.resolved ? [['resolved', f.resolved] as [Metric, string]] : []), ...f.reopened.map((d) => ['reopened', d] as [Metric, string])] : [];

/**
 * Moves the tickets' contributions from what they were to what they are now (idempotent). A
 * few statements for a whole batch of tickets: each query and each write takes all of them.
 */
export async function refreshTicketRollups(db: AnyDb, ticketIds: readonly string[]): Promise<void> {
  const tz = await rollupZone(db);
  if (!tz) return;
  for (let i = 0; i < ticketIds.length; i += IDS_CHUNK) await refreshChunk(db, tz, ticketIds.slice(i, i + IDS_CHUNK));
}

async function refreshChunk(db: AnyDb, tz: string, ids: readonly string[]): Promise<void> {
  const sources = await ticketsForFacts(db, ids);
  const current = sources.size ? await currentTagsAndTime(db, [...sources.keys()]) : new Map();
  const counted = await readFacts(db, ids);
  const daily: DailyDelta[] = [];
  const stats: { cell: StatCell; sign: 1 | -1 }[] = [];
  const writes: FactsWrite[] = [];
  for (const ticketId of ids) {
    const source = sources.get(ticketId);
    const next = source ? factsOf(source, current.get(ticketId)!, tz) : null;
    const prev = counted.get(ticketId) ?? null;
    if (JSON.stringify(prev) === JSON.stringify(next)) continue;
    for (const dim of ROLLUP_DIMS) {
      for (const [metric, day] of cellsOf(prev)) for (const key of keysOf(prev!, dim)) daily.push({ metric, dim, key, day, n: -1 });
      for (const [metric, day] of cellsOf(next)) for (const key of keysOf(next!, dim)) daily.push({ metric, dim, key, day, n: 1 });
    }
    if (prev) for (const cell of statCellsOf(prev)) stats.push({ cell, sign: -1 });
    if (next) for (const cell of statCellsOf(next)) stats.push({ cell, sign: 1 });
    writes.push({ ticketId, facts: next, fresh: prev === null });
  }
  if (!writes.length) return;
  await bumpDaily(db, tz, daily);
  await bumpStats(db, tz, stats);
  await writeFacts(db, writes);
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
