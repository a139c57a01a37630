import { sql, type Kysely } from 'kysely';
import type { AnyDb } from '../../platform/db/database.js';
import { daysBetweenDates } from '../../platform/db/dialect/report-sql.js';
import type { ReportTables } from './reports.tables.js';
import { FLAG, keysOf, netCells, ROLLUP_DIMS, splitKey, UPSERT_CHUNK, type RollupDim, type TicketFacts } from './rollups.repository.js';

/**
 * Daily cells with a sub-key, built from report_ticket_facts and report_ticket_replies (which
 * are built from the tickets and their event log):
 *   first_response  created day, bucket = minutes bucket, n tickets, seconds summed
 *   resolution      resolved day, likewise
 *   resolved_flags  resolved day, bucket = reopened / CSAT bits of the ticket's flags
 *   created_flags   created day, bucket = the resolved-now and answered bits, seconds = first
 *                   response seconds (the agents report needs sums, not the histogram)
 *   replies         agents only: reply day, n replies
 *   replied_tickets agents only: reply day, bucket = days since the agent's previous reply day
 *                   on that ticket (0: first), n (ticket, day) pairs
 *   time_logged     agent (who logged), type, organization: work date, n entries, seconds =
 *                   minutes logged * 60 (from report_ticket_time)
 *   time_tickets    the same splits: work date, bucket = days since the previous work date on
 *                   the ticket (of that agent for the agent split, of anyone otherwise), n tickets
 * A ticket counts under each of its tags in the tag split (under '' without tags).
 */

const q = (db: AnyDb) => db as Kysely<ReportTables>;

export type StatMetric = 'first_response' | 'resolution' | 'resolved_flags' | 'created_flags' | 'replies' | 'replied_tickets' | 'time_logged' | 'time_tickets';

/** The splits of the time report (agent: who logged the time). */
export const TIME_DIMS = ['agent', 'type', 'organization'] as const;
export type TimeDim = (typeof TIME_DIMS)[number];

export interface StatCell {
  metric: StatMetric;
  dim: RollupDim;
  key: string;
  day: string;
  bucket: number;
  n: number;
  seconds: number;
}

export const RESOLVED_BITS = FLAG.reopened | FLAG.rated | FLAG.positive | FLAG.comment;

/** Adds each cell's n and seconds (times its sign) to the stored cell, netted per cell as bumpDaily does. */
export async function bumpStats(db: AnyDb, tz: string, changes: readonly { cell: StatCell; sign: 1 | -1 }[]): Promise<void> {
  const signed = changes.map(({ cell, sign }) => ({ ...cell, n: sign * cell.n, seconds: sign * cell.seconds }));
  const cells = netCells(
    signed,
    (c) => [c.metric, c.dim, c.key, c.day, c.bucket].join('\u0000'),
    (into, c) => {
      into.n += c.n;
      into.seconds += c.seconds;
    },
    (c) => c.n === 0 && c.seconds === 0,
  );
  const rows = cells.map((c) => ({ time_zone: tz, metric: c.metric, dim: c.dim, key: c.key, day: c.day, bucket: c.bucket, n: c.n, seconds: c.seconds }));
  for (let i = 0; i < rows.length; i += UPSERT_CHUNK) {
    await q(db)
      .insertInto('report_daily_stats')
      .values(rows.slice(i, i + UPSERT_CHUNK))
      .onConflict((oc) => oc.columns(['time_zone', 'metric', 'dim', 'day', 'key', 'bucket']).doUpdateSet({ n: sql`report_daily_stats.n + excluded.n`, seconds: sql`report_daily_stats.seconds + excluded.seconds` }))
      .execute();
  }
}

/** Inserts grouped cells (a SELECT of the table's columns in order). */
const insertCells = (db: AnyDb) => (rows: Parameters<ReturnType<ReturnType<typeof q>['insertInto']>['expression']>[0]) =>
  q(db).insertInto('report_daily_stats').columns(['time_zone', 'metric', 'dim', 'key', 'day', 'bucket', 'n', 'seconds']).expression(rows).execute();

/** Every cell grouped in SQL from the facts (the facts must be built first). */
export async function buildStats(db: AnyDb, tz: string): Promise<void> {
  const insert = insertCells(db);
  const cell = (metric: StatMetric, dim: RollupDim) => [sql<string>`${tz}`.as('time_zone'), sql<string>`${metric}`.as('metric'), sql<string>`${dim}`.as('dim')];
  for (const dim of ROLLUP_DIMS) {
    const key = splitKey(dim).as('key');
    const facts = q(db)
      .selectFrom('report_ticket_facts as f')
      .$if(dim === 'tag', (b) => b.leftJoin('report_ticket_tags as g', 'g.ticket_id', 'f.ticket_id'));
    const grouped = [sql`4`, sql`5`, sql`6`];
    for (const [metric, day] of [
      ['first_response', 'f.created_day'],
      ['resolution', 'f.resolved_day'],
    ] as const) {
      const prefix = metric === 'first_response' ? 'first_response' : 'resolution';
      await insert(
        facts
          .select([...cell(metric, dim), key, sql<string>`${sql.ref(day)}`.as('day'), sql<number>`${sql.ref(`f.${prefix}_bucket`)}`.as('bucket'), sql<number>`count(*)`.as('n'), sql<number>`sum(${sql.ref(`f.${prefix}_seconds`)})`.as('seconds')])
          .where(sql.ref(`f.${prefix}_seconds`), 'is not', null)
          .where(sql.ref(day), 'is not', null)
          .groupBy(grouped),
      );
    }
    await insert(
      facts
        .select([...cell('resolved_flags', dim), key, 'f.resolved_day as day', sql<number>`(f.flags & ${sql.lit(RESOLVED_BITS)})`.as('bucket'), sql<number>`count(*)`.as('n'), sql<number>`0`.as('seconds')])
        .where('f.resolved_day', 'is not', null)
        .groupBy(grouped),
    );
    const answered = sql<number>`(CASE WHEN f.first_response_seconds IS NULL THEN 0 ELSE ${sql.lit(FLAG.answered)} END)`;
    await insert(
      facts
        .select([...cell('created_flags', dim), key, 'f.created_day as day', sql<number>`((f.flags & ${sql.lit(FLAG.resolvedNow)}) + ${answered})`.as('bucket'), sql<number>`count(*)`.as('n'), sql<number>`sum(coalesce(f.first_response_seconds, 0))`.as('seconds')])
        .where('f.created_day', 'is not', null)
        .groupBy(grouped),
    );
  }
  const replies = q(db).selectFrom('report_ticket_replies as r');
  await insert(replies.select([...cell('replies', 'agent'), 'r.agent_id as key', 'r.day', sql<number>`0`.as('bucket'), sql<number>`sum(r.n)`.as('n'), sql<number>`0`.as('seconds')]).groupBy([sql`4`, sql`5`]));
  await insert(replies.select([...cell('replied_tickets', 'agent'), 'r.agent_id as key', 'r.day', 'r.gap as bucket', sql<number>`count(*)`.as('n'), sql<number>`0`.as('seconds')]).groupBy([sql`4`, sql`5`, sql`6`]));
  await buildTimeStats(db, tz);
}

async function buildTimeStats(db: AnyDb, tz: string): Promise<void> {
  const insert = insertCells(db);
  const cell = (metric: StatMetric, dim: TimeDim) => [sql<string>`${tz}`.as('time_zone'), sql<string>`${metric}`.as('metric'), sql<string>`${dim}`.as('dim')];
  const time = q(db).selectFrom('report_ticket_time as t').innerJoin('report_ticket_facts as f', 'f.ticket_id', 't.ticket_id');
  // A ticket's work dates (anyone's), each with the days since the previous one.
  const days = q(db).selectFrom('report_ticket_time').select(['ticket_id', 'day']).distinct();
  const previous = sql`lag(d.day) OVER (PARTITION BY d.ticket_id ORDER BY d.day)`;
  const workDays = q(db)
    .selectFrom(days.as('d'))
    .select(['d.ticket_id', 'd.day', sql<number>`coalesce(${daysBetweenDates(db, previous, sql`d.day`)}, 0)`.as('gap')]);
  for (const dim of TIME_DIMS) {
    const key = (dim === 'agent' ? sql<string>`t.agent_id` : splitKey(dim)).as('key');
    await insert(time.select([...cell('time_logged', dim), key, 't.day', sql<number>`0`.as('bucket'), sql<number>`sum(t.entries)`.as('n'), sql<number>`sum(t.minutes) * 60`.as('seconds')]).groupBy([sql`4`, sql`5`]));
    if (dim === 'agent') {
      await insert(time.select([...cell('time_tickets', dim), key, 't.day', 't.gap as bucket', sql<number>`count(*)`.as('n'), sql<number>`0`.as('seconds')]).groupBy([sql`4`, sql`5`, sql`6`]));
    } else {
      const rows = q(db)
        .selectFrom(workDays.as('w'))
        .innerJoin('report_ticket_facts as f', 'f.ticket_id', 'w.ticket_id')
        .select([...cell('time_tickets', dim), splitKey(dim).as('key'), 'w.day', 'w.gap as bucket', sql<number>`count(*)`.as('n'), sql<number>`0`.as('seconds')])
        .groupBy([sql`4`, sql`5`, sql`6`]);
      await insert(rows);
    }
  }
}

/** Cells of one metric and split over days from..to, summed per key and bucket (and day when asked). */
export async function readStats(db: AnyDb, tz: string, metric: StatMetric, dim: RollupDim, from: string, to: string, perDay = false): Promise<{ key: string; day: string; bucket: number; n: number; seconds: number }[]> {
  const groups = perDay ? [sql`1`, sql`2`, sql`3`] : [sql`1`, sql`3`];
  const rows = await q(db)
    .selectFrom('report_daily_stats')
    .select(['key', perDay ? 'day' : sql<string>`''`.as('day'), 'bucket', sql<number>`sum(n)`.as('n'), sql<number>`sum(seconds)`.as('seconds')])
    .where('time_zone', '=', tz)
    .where('metric', '=', metric)
    .where('dim', '=', dim)
    .where('day', '>=', from)
    .where('day', '<=', to)
    .groupBy(groups)
    .having(sql`sum(n)`, '!=', 0)
    .execute();
  return rows.map((r) => ({ key: r.key, day: String(r.day), bucket: Number(r.bucket), n: Number(r.n), seconds: Number(r.seconds) }));
}

/** The cells one ticket's facts add (the same cells buildStats groups, one ticket at a time). */
export function statCellsOf(f: TicketFacts): StatCell[] {
  const out: StatCell[] = [];
  for (const dim of ROLLUP_DIMS) {
    for (const key of keysOf(f, dim)) {
      const add = (metric: StatMetric, day: string | null, bucket: number, seconds: number) => {
        if (day !== null) out.push({ metric, dim, key, day, bucket, n: 1, seconds });
      };
      if (f.firstResponse) add('first_response', f.created, f.firstResponse.bucket, f.firstResponse.seconds);
      if (f.resolution) add('resolution', f.resolved, f.resolution.bucket, f.resolution.seconds);
      add('resolved_flags', f.resolved, f.flags & RESOLVED_BITS, 0);
      add('created_flags', f.created, (f.flags & FLAG.resolvedNow) | (f.firstResponse ? FLAG.answered : 0), f.firstResponse?.seconds ?? 0);
    }
  }
  for (const r of f.replies) {
    out.push({ metric: 'replies', dim: 'agent', key: r.agentId, day: r.day, bucket: 0, n: r.n, seconds: 0 });
    out.push({ metric: 'replied_tickets', dim: 'agent', key: r.agentId, day: r.day, bucket: r.gap, n: 1, seconds: 0 });
  }
  const workDays = [...new Set(f.time.map((t) => t.day))].sort();
  for (const t of f.time) {
    out.push({ metric: 'time_logged', dim: 'agent', key: t.agentId, day: t.day, bucket: 0, n: t.entries, seconds: t.minutes * 60 });
    out.push({ metric: 'time_tickets', dim: 'agent', key: t.agentId, day: t.day, bucket: t.gap, n: 1, seconds: 0 });
    for (const dim of ['type', 'organization'] as const) out.push({ metric: 'time_logged', dim, key: f.keys[dim], day: t.day, bucket: 0, n: t.entries, seconds: t.minutes * 60 });
  }
  workDays.forEach((day, i) => {
    const gap = i === 0 ? 0 : daysApart(workDays[i - 1]!, day);
    for (const dim of ['type', 'organization'] as const) out.push({ metric: 'time_tickets', dim, key: f.keys[dim], day, bucket: gap, n: 1, seconds: 0 });
  });
  return out;
}

/** Whole days from one calendar date to a later one. */
export const daysApart = (from: string, to: string): number => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);
