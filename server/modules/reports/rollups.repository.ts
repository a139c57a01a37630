import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { AnyDb } from '../../platform/db/database.js';
import { daysBetweenDates, elapsedMinutes, elapsedSeconds, jsonScalarText, localDate, type OffsetStretch } from '../../platform/db/dialect/report-sql.js';
import { jsonText, refreshPlannerStatistics } from '../../platform/db/dialect/sql.js';
import { bucketOf, everReopened, REOPEN_FROM, REOPEN_TO } from './reports.repository.js';
import type { ReportTables } from './reports.tables.js';
import { buildTagsAndTime, readTagsAndTime, writeTagsAndTime, type TimeDay } from './rollup-time-tags.repository.js';

/**
 * Daily rollups of created / resolved / reopened per split, in one time zone. Counts are the
 * same as the live queries of reports.repository.ts (live tickets: not spam, not merged;
 * reopens once per ticket and day), so a report may read either; tests check they agree.
 */

const q = (db: AnyDb) => db as Kysely<ReportTables>;

export const ROLLUP_DIMS = ['none', 'channel', 'group', 'priority', 'type', 'agent', 'organization', 'tag'] as const;
export type RollupDim = (typeof ROLLUP_DIMS)[number];
/** Splits with one key per ticket (a ticket has any number of tags, held apart in TicketFacts.tags). */
export type KeyDim = Exclude<RollupDim, 'tag'>;
export type Metric = 'created' | 'resolved' | 'reopened';

/** A calendar duration: exact seconds and its histogram bucket (minutes under a day, hours above). */
export interface Measured {
  seconds: number;
  bucket: number;
}

/** Public replies of one agent on one local day, and the days since their previous reply day (0: first). */
export interface ReplyDay {
  agentId: string;
  day: string;
  n: number;
  gap: number;
}

/** Bits of TicketFacts.flags (`answered` is set only in the created_flags cells, from firstResponse). */
export const FLAG = { reopened: 1, rated: 2, positive: 4, comment: 8, resolvedNow: 16, answered: 32 } as const;

/** What one ticket contributes: its days, its keys per split, its durations, outcomes, replies and time logged. */
export interface TicketFacts {
  created: string | null;
  resolved: string | null;
  reopened: string[];
  keys: Record<KeyDim, string>;
  /** Sorted; none: the ticket counts under the tag key ''. */
  tags: string[];
  firstResponse: Measured | null;
  resolution: Measured | null;
  flags: number;
  replies: ReplyDay[];
  time: TimeDay[];
}

/** The keys a ticket counts under in one split: one, except a tag per tag ('' when it has none). */
export const keysOf = (f: Pick<TicketFacts, 'keys' | 'tags'>, dim: RollupDim): string[] => (dim === 'tag' ? (f.tags.length ? f.tags : ['']) : [f.keys[dim]]);

/** A change of one rollup cell. */
export interface DailyDelta {
  metric: Metric;
  dim: RollupDim;
  key: string;
  day: string;
  n: number;
}

/** Rows per statement: well under either dialect's limit of bound parameters. */
export const UPSERT_CHUNK = 500;

/**
 * The changes summed per cell (PostgreSQL refuses to update a row twice in one statement),
 * without the cells that net to nothing, in key order (so concurrent writers on PostgreSQL lock
 * the cells they share in the same order).
 */
export function netCells<T>(changes: readonly T[], idOf: (c: T) => string, add: (into: T, c: T) => void, isZero: (c: T) => boolean): T[] {
  const cells = new Map<string, T>();
  for (const c of changes) {
    const id = idOf(c);
    const cell = cells.get(id);
    if (cell) add(cell, c);
    else cells.set(id, { ...c });
  }
  return [...cells].filter(([, c]) => !isZero(c)).sort(([a], [b]) => (a < b ? -1 : 1)).map(([, c]) => c);
}

/** Adds the deltas to their cells, one statement per few hundred cells. */
export async function bumpDaily(db: AnyDb, tz: string, deltas: readonly DailyDelta[]): Promise<void> {
  const cells = netCells(deltas, (d) => [d.metric, d.dim, d.key, d.day].join('\u0000'), (into, d) => void (into.n += d.n), (c) => c.n === 0);
  const rows = cells.map((c) => ({ time_zone: tz, metric: c.metric, dim: c.dim, key: c.key, day: c.day, n: c.n }));
  for (let i = 0; i < rows.length; i += UPSERT_CHUNK) {
    await q(db)
      .insertInto('report_daily')
      .values(rows.slice(i, i + UPSERT_CHUNK))
      .onConflict((oc) => oc.columns(['time_zone', 'metric', 'dim', 'key', 'day']).doUpdateSet({ n: sql`report_daily.n + excluded.n` }))
      .execute();
  }
}

const measured = (seconds: unknown, bucket: unknown): Measured | null => (seconds === null || seconds === undefined ? null : { seconds: Number(seconds), bucket: Number(bucket) });

/** Tickets per statement when facts are read or written for many at once (well under the bound-parameter limits). */
export const IDS_CHUNK = 500;

/** Groups rows by their ticket, keeping their order. */
function byTicket<R extends { ticket_id: string }>(rows: readonly R[]): Map<string, R[]> {
  const out = new Map<string, R[]>();
  for (const r of rows) {
    const list = out.get(r.ticket_id);
    if (list) list.push(r);
    else out.set(r.ticket_id, [r]);
  }
  return out;
}

/** What the rollups counted for each of the tickets (absent: nothing counted). At most IDS_CHUNK ids. */
export async function readFacts(db: AnyDb, ticketIds: readonly string[]): Promise<Map<string, TicketFacts>> {
  const facts = await q(db).selectFrom('report_ticket_facts').selectAll().where('ticket_id', 'in', ticketIds).execute();
  const out = new Map<string, TicketFacts>();
  if (!facts.length) return out;
  const ids = facts.map((r) => r.ticket_id);
  const reopens = byTicket(await q(db).selectFrom('report_ticket_reopens').select(['ticket_id', 'day']).where('ticket_id', 'in', ids).orderBy('ticket_id').orderBy('day').execute());
  const replies = byTicket(await q(db).selectFrom('report_ticket_replies').select(['ticket_id', 'agent_id', 'day', 'n', 'gap']).where('ticket_id', 'in', ids).orderBy('ticket_id').orderBy('agent_id').orderBy('day').execute());
  const tagsAndTime = await readTagsAndTime(db, ids);
  for (const r of facts) {
    const { tags, time } = tagsAndTime.get(r.ticket_id)!;
    out.set(r.ticket_id, {
      created: r.created_day,
      resolved: r.resolved_day,
      reopened: (reopens.get(r.ticket_id) ?? []).map((x) => x.day),
      keys: { none: '', channel: r.channel, group: r.group_id, priority: r.priority, type: r.type, agent: r.assignee_id, organization: r.organization_id },
      tags,
      firstResponse: measured(r.first_response_seconds, r.first_response_bucket),
      resolution: measured(r.resolution_seconds, r.resolution_bucket),
      flags: Number(r.flags),
      replies: (replies.get(r.ticket_id) ?? []).map((x) => ({ agentId: x.agent_id, day: x.day, n: Number(x.n), gap: Number(x.gap) })),
      time,
    });
  }
  return out;
}

/** One ticket's new facts (null: it no longer counts); `fresh`: it had none, so none of its rows exist in any facts table. */
export interface FactsWrite {
  ticketId: string;
  facts: TicketFacts | null;
  fresh: boolean;
}

/** Replaces the tickets' facts, a few statements for all of them. At most IDS_CHUNK tickets. */
export async function writeFacts(db: AnyDb, writes: readonly FactsWrite[]): Promise<void> {
  const stale = writes.filter((w) => !w.fresh).map((w) => w.ticketId);
  if (stale.length) {
    await q(db).deleteFrom('report_ticket_facts').where('ticket_id', 'in', stale).execute();
    await q(db).deleteFrom('report_ticket_reopens').where('ticket_id', 'in', stale).execute();
    await q(db).deleteFrom('report_ticket_replies').where('ticket_id', 'in', stale).execute();
  }
  await writeTagsAndTime(db, stale, writes);
  const live = writes.filter((w): w is FactsWrite & { facts: TicketFacts } => w.facts !== null);
  if (!live.length) return;
  await q(db)
    .insertInto('report_ticket_facts')
    .values(
      live.map(({ ticketId, facts: f }) => ({
        ticket_id: ticketId,
        created_day: f.created,
        resolved_day: f.resolved,
        channel: f.keys.channel,
        group_id: f.keys.group,
        priority: f.keys.priority,
        type: f.keys.type,
        assignee_id: f.keys.agent,
        organization_id: f.keys.organization,
        first_response_seconds: f.firstResponse?.seconds ?? null,
        first_response_bucket: f.firstResponse?.bucket ?? null,
        resolution_seconds: f.resolution?.seconds ?? null,
        resolution_bucket: f.resolution?.bucket ?? null,
        flags: f.flags,
      })),
    )
    .execute();
  // A ticket may have many reply days: a few hundred rows per statement.
  const reopens = live.flatMap(({ ticketId, facts }) => facts.reopened.map((day) => ({ ticket_id: ticketId, day })));
  for (let i = 0; i < reopens.length; i += UPSERT_CHUNK) await q(db).insertInto('report_ticket_reopens').values(reopens.slice(i, i + UPSERT_CHUNK)).execute();
  const replies = live.flatMap(({ ticketId, facts }) => facts.replies.map((r) => ({ ticket_id: ticketId, agent_id: r.agentId, day: r.day, n: r.n, gap: r.gap })));
  for (let i = 0; i < replies.length; i += UPSERT_CHUNK) await q(db).insertInto('report_ticket_replies').values(replies.slice(i, i + UPSERT_CHUNK)).execute();
}

/*
 * The measured columns of a ticket, as the live report queries compute them (same SQL), so a
 * fact written for one ticket and a rebuilt one hold the same numbers.
 */
const durations = (db: AnyDb) => {
  const fr = ['tickets.created_at', 'tickets.first_response_at'] as const;
  const res = ['tickets.created_at', 'tickets.resolved_at'] as const;
  return [
    elapsedSeconds(db, ...fr).as('first_response_seconds'),
    bucketOf(elapsedMinutes(db, ...fr)).as('first_response_bucket'),
    elapsedSeconds(db, ...res).as('resolution_seconds'),
    bucketOf(elapsedMinutes(db, ...res)).as('resolution_bucket'),
  ];
};

/** The flags of every ticket at once (rebuild; the query must left-join report_csat). flagsOf is the same for one ticket. */
const flagsColumn = (db: AnyDb) =>
  sql<number>`((CASE WHEN ${everReopened(db)} THEN ${FLAG.reopened} ELSE 0 END)
      + (CASE WHEN report_csat.ticket_id IS NULL THEN 0 ELSE ${FLAG.rated} END)
      + coalesce(report_csat.positive, 0) * ${FLAG.positive}
      + coalesce(report_csat.has_comment, 0) * ${FLAG.comment}
      + (CASE WHEN tickets.resolved_at IS NULL THEN 0 ELSE ${FLAG.resolvedNow} END))`.as('flags');

const flagsOf = (reopened: boolean, csat: { positive: number; has_comment: number } | undefined, resolved: boolean): number =>
  (reopened ? FLAG.reopened : 0) + (csat ? FLAG.rated + Number(csat.positive) * FLAG.positive + Number(csat.has_comment) * FLAG.comment : 0) + (resolved ? FLAG.resolvedNow : 0);

/** Public replies by agents (not notes, not customers), from the event log. */
const replyEvents = (db: AnyDb) =>
  q(db)
    .selectFrom('ticket_events')
    .where('ticket_events.action', '=', 'message_added')
    .where('ticket_events.actor_type', '=', 'user')
    .where('ticket_events.actor_id', 'is not', null)
    .where(jsonText(db, 'ticket_events.to_value', 'kind'), '=', 'reply');

/** What a ticket's facts are computed from: its row, reopen instants, rating and agents' replies. */
export interface FactsSource {
  createdAt: string;
  resolvedAt: string | null;
  keys: Record<KeyDim, string>;
  reopenedAt: string[];
  firstResponse: Measured | null;
  resolution: Measured | null;
  flags: number;
  repliedAt: { agentId: string; at: string }[];
}

/** Each live ticket's source of facts (absent: gone, spam or merged). At most IDS_CHUNK ids. */
export async function ticketsForFacts(db: AnyDb, ticketIds: readonly string[]): Promise<Map<string, FactsSource>> {
  // One small query per table: SQLite took several times longer over the left join with report_csat.
  const rows = await q(db)
    .selectFrom('tickets')
    .select(['tickets.id', 'tickets.created_at', 'tickets.resolved_at', 'tickets.channel', 'tickets.group_id', 'tickets.priority', 'tickets.type', 'tickets.assignee_id', 'tickets.organization_id', ...durations(db)])
    .where('tickets.id', 'in', ticketIds)
    .where('tickets.spam', '=', 0)
    .where('tickets.merged_into_id', 'is', null)
    .execute();
  const out = new Map<string, FactsSource>();
  if (!rows.length) return out;
  const ids = rows.map((t) => t.id);
  const csat = new Map((await q(db).selectFrom('report_csat').select(['ticket_id', 'positive', 'has_comment']).where('ticket_id', 'in', ids).execute()).map((c) => [c.ticket_id, c]));
  const reopens = byTicket(
    await q(db)
      .selectFrom('ticket_events')
      .select(['ticket_id', 'at'])
      .where('ticket_id', 'in', ids)
      .where('action', '=', 'status_changed')
      .where(jsonScalarText(db, 'from_value'), '=', REOPEN_FROM)
      .where(jsonScalarText(db, 'to_value'), 'in', REOPEN_TO)
      .execute(),
  );
  const replies = byTicket(await replyEvents(db).select(['ticket_events.ticket_id', 'ticket_events.actor_id', 'ticket_events.at']).where('ticket_events.ticket_id', 'in', ids).execute());
  const iso = (v: unknown) => new Date(v as string).toISOString();
  for (const t of rows) {
    const reopenedAt = (reopens.get(t.id) ?? []).map((r) => iso(r.at));
    out.set(t.id, {
      createdAt: iso(t.created_at),
      resolvedAt: t.resolved_at === null ? null : iso(t.resolved_at),
      keys: { none: '', channel: t.channel, group: t.group_id ?? '', priority: t.priority, type: t.type, agent: t.assignee_id ?? '', organization: t.organization_id ?? '' },
      reopenedAt,
      firstResponse: measured(t.first_response_seconds, t.first_response_bucket),
      resolution: measured(t.resolution_seconds, t.resolution_bucket),
      flags: flagsOf(reopenedAt.length > 0, csat.get(t.id), t.resolved_at !== null),
      repliedAt: (replies.get(t.id) ?? []).map((r) => ({ agentId: r.actor_id!, at: iso(r.at) })),
    });
  }
  return out;
}

/** Drops every rollup and fact (a rebuild starts from nothing). */
const ROLLUP_TABLES = ['report_daily', 'report_ticket_facts', 'report_ticket_reopens', 'report_ticket_replies', 'report_daily_stats', 'report_ticket_tags', 'report_ticket_time'] as const;

/** After a rebuild: lookups by ticket must not be planned on the statistics of the empty tables. */
export async function analyzeRollups(db: AnyDb): Promise<void> {
  await refreshPlannerStatistics(db, ROLLUP_TABLES);
}

export async function clearRollups(db: AnyDb): Promise<void> {
  for (const table of ROLLUP_TABLES) await q(db).deleteFrom(table).execute();
}

const FACT_COLUMN: Record<KeyDim, string | null> = { none: null, channel: 'channel', group: 'group_id', priority: 'priority', type: 'type', agent: 'assignee_id', organization: 'organization_id' };

/**
 * The key of a split over `report_ticket_facts as f`; for tags over `report_ticket_tags as g`,
 * left-joined by `withSplit` (a ticket with two tags is two rows, one without is one row, key '').
 */
export const splitKey = (dim: RollupDim): RawBuilder<string> => {
  if (dim === 'tag') return sql<string>`coalesce(g.tag, '')`;
  const column = FACT_COLUMN[dim];
  return column ? sql<string>`${sql.ref(`f.${column}`)}` : sql<string>`''`;
};

/**
 * Rebuilds from nothing in SQL: each live ticket's facts (days and keys) and reopen days, then
 * the rollup cells grouped from those facts, so cells and facts agree by construction.
 */
export async function buildRollups(db: AnyDb, tz: string, stretches: readonly OffsetStretch[]): Promise<void> {
  const facts = q(db)
    .selectFrom('tickets')
    .leftJoin('report_csat', 'report_csat.ticket_id', 'tickets.id')
    .select([
      'tickets.id',
      localDate(db, 'tickets.created_at', tz, stretches).as('created_day'),
      sql<string | null>`(CASE WHEN tickets.resolved_at IS NULL THEN NULL ELSE ${localDate(db, 'tickets.resolved_at', tz, stretches)} END)`.as('resolved_day'),
      'tickets.channel',
      sql<string>`coalesce(tickets.group_id, '')`.as('group_id'),
      'tickets.priority',
      'tickets.type',
      sql<string>`coalesce(tickets.assignee_id, '')`.as('assignee_id'),
      sql<string>`coalesce(tickets.organization_id, '')`.as('organization_id'),
      ...durations(db),
      flagsColumn(db),
    ])
    .where('tickets.spam', '=', 0)
    .where('tickets.merged_into_id', 'is', null);
  await q(db)
    .insertInto('report_ticket_facts')
    .columns(['ticket_id', 'created_day', 'resolved_day', 'channel', 'group_id', 'priority', 'type', 'assignee_id', 'organization_id', 'first_response_seconds', 'first_response_bucket', 'resolution_seconds', 'resolution_bucket', 'flags'])
    .expression(facts)
    .execute();
  const reopens = q(db)
    .selectFrom('ticket_events')
    .innerJoin('report_ticket_facts', 'report_ticket_facts.ticket_id', 'ticket_events.ticket_id')
    .select(['ticket_events.ticket_id', localDate(db, 'ticket_events.at', tz, stretches).as('day')])
    .where('ticket_events.action', '=', 'status_changed')
    .where(jsonScalarText(db, 'ticket_events.from_value'), '=', REOPEN_FROM)
    .where(jsonScalarText(db, 'ticket_events.to_value'), 'in', REOPEN_TO)
    .distinct();
  await q(db).insertInto('report_ticket_reopens').columns(['ticket_id', 'day']).expression(reopens).execute();
  const perDay = replyEvents(db)
    .innerJoin('report_ticket_facts', 'report_ticket_facts.ticket_id', 'ticket_events.ticket_id')
    .select(['ticket_events.ticket_id', 'ticket_events.actor_id as agent_id', localDate(db, 'ticket_events.at', tz, stretches).as('day'), sql<number>`count(*)`.as('n')])
    .groupBy([sql`1`, sql`2`, sql`3`]);
  const previous = sql`lag(d.day) OVER (PARTITION BY d.ticket_id, d.agent_id ORDER BY d.day)`;
  const replies = q(db)
    .selectFrom(perDay.as('d'))
    .select(['d.ticket_id', 'd.agent_id', 'd.day', 'd.n', sql<number>`coalesce(${daysBetweenDates(db, previous, sql`d.day`)}, 0)`.as('gap')]);
  await q(db).insertInto('report_ticket_replies').columns(['ticket_id', 'agent_id', 'day', 'n', 'gap']).expression(replies).execute();
  await buildTagsAndTime(db);
  for (const dim of ROLLUP_DIMS) {
    const key = splitKey(dim);
    for (const metric of ['created', 'resolved'] as const) {
      const day = sql.ref(`f.${metric}_day`);
      const rows = q(db)
        .selectFrom('report_ticket_facts as f')
        .$if(dim === 'tag', (b) => b.leftJoin('report_ticket_tags as g', 'g.ticket_id', 'f.ticket_id'))
        .select([sql<string>`${tz}`.as('time_zone'), sql<string>`${dim}`.as('dim'), key.as('key'), sql<string>`${metric}`.as('metric'), sql<string>`${day}`.as('day'), sql<number>`count(*)`.as('n')])
        .where(day, 'is not', null)
        .groupBy([sql`3`, sql`5`]);
      await q(db).insertInto('report_daily').columns(['time_zone', 'dim', 'key', 'metric', 'day', 'n']).expression(rows).execute();
    }
    const rows = q(db)
      .selectFrom('report_ticket_reopens as r')
      .innerJoin('report_ticket_facts as f', 'f.ticket_id', 'r.ticket_id')
      .$if(dim === 'tag', (b) => b.leftJoin('report_ticket_tags as g', 'g.ticket_id', 'f.ticket_id'))
      .select([sql<string>`${tz}`.as('time_zone'), sql<string>`${dim}`.as('dim'), key.as('key'), sql<string>`'reopened'`.as('metric'), 'r.day', sql<number>`count(*)`.as('n')])
      .groupBy([sql`3`, sql`5`]);
    await q(db).insertInto('report_daily').columns(['time_zone', 'dim', 'key', 'metric', 'day', 'n']).expression(rows).execute();
  }
}

/** Rollup cells for a report: days from..to of one metric and split. */
export async function readDaily(db: AnyDb, tz: string, metric: Metric, dim: RollupDim, from: string, to: string): Promise<{ day: string; key: string; n: number }[]> {
  const rows = await q(db)
    .selectFrom('report_daily')
    .select(['day', 'key', 'n'])
    .where('time_zone', '=', tz)
    .where('metric', '=', metric)
    .where('dim', '=', dim)
    .where('day', '>=', from)
    .where('day', '<=', to)
    .where('n', '!=', 0)
    .execute();
  return rows.map((r) => ({ day: r.day, key: r.key, n: Number(r.n) }));
}

/** Sum of one metric before a day (the backlog before the range). */
export async function sumBefore(db: AnyDb, tz: string, metric: Metric, day: string): Promise<number> {
  const r = await q(db)
    .selectFrom('report_daily')
    .select(sql<number>`coalesce(sum(n), 0)`.as('n'))
    .where('time_zone', '=', tz)
    .where('metric', '=', metric)
    .where('dim', '=', 'none')
    .where('day', '<', day)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}
