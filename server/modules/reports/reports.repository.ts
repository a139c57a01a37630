import { sql, type Expression, type ExpressionBuilder, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { ReportDimension } from '../../../contracts/reports.js';
import type { AnyDb } from '../../platform/db/database.js';
import { elapsedMinutes, elapsedSeconds, jsonScalarText, localDate } from '../../platform/db/dialect/report-sql.js';
import { jsonText } from '../../platform/db/dialect/sql.js';
import type { ReportScope } from './report-scope.js';
import type { ReportTables } from './reports.tables.js';

/**
 * Read-only report queries over the ticket timestamps and the ticket event log. Every query
 * is grouped in SQL (a handful of rows per local day and key comes back), ANDs the report's
 * compiled filter and visibility scope, and ranges over an indexed timestamp.
 */

const q = (db: AnyDb) => db as Kysely<ReportTables>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Eb = ExpressionBuilder<any, any>;

const DIMENSION_COLUMN: Record<Exclude<ReportDimension, 'none' | 'tag'>, string> = {
  channel: 'tickets.channel',
  group: 'tickets.group_id',
  type: 'tickets.type',
  priority: 'tickets.priority',
  agent: 'tickets.assignee_id',
  organization: 'tickets.organization_id',
};

/** The split key of a row: a ticket column, the tag (one row per tag), or '' for no split. */
export function dimensionKey(by: ReportDimension): RawBuilder<string | null> {
  if (by === 'none') return sql<string>`''`;
  if (by === 'tag') return sql<string | null>`ticket_tags.tag`;
  return sql<string | null>`${sql.ref(DIMENSION_COLUMN[by])}`;
}

export const scoped = (scope: ReportScope) => (eb: Eb): Expression<SqlBool> => eb.and(scope.where.map((p) => p(eb as never)));

/** tickets (with their tags when splitting by tag), filtered by the report's scope. */
function ticketsIn(db: AnyDb, scope: ReportScope, by: ReportDimension) {
  const base = q(db).selectFrom('tickets');
  const joined = by === 'tag' ? base.leftJoin('ticket_tags', 'ticket_tags.ticket_id', 'tickets.id') : base;
  return joined.where(scoped(scope));
}

export interface DayCount {
  day: string;
  key: string | null;
  n: number;
}

const toDayCounts = (rows: { d: unknown; k: unknown; n: unknown }[]): DayCount[] =>
  rows.map((r) => ({ day: String(r.d), key: r.k === null || r.k === undefined ? null : String(r.k), n: Number(r.n) }));

/** Tickets whose `column` (created_at, resolved_at) falls in the range, by local day and key. */
export async function countByDay(db: AnyDb, scope: ReportScope, column: 'created_at' | 'resolved_at', by: ReportDimension): Promise<DayCount[]> {
  const col = `tickets.${column}`;
  const day = localDate(db, col, scope.timeZone, scope.stretches);
  const rows = await ticketsIn(db, scope, by)
    .select([day.as('d'), dimensionKey(by).as('k'), sql<number>`count(*)`.as('n')])
    .where(sql.ref(col), '>=', scope.fromAt)
    .where(sql.ref(col), '<', scope.toAt)
    .groupBy([sql`1`, sql`2`])
    .execute();
  return toDayCounts(rows);
}

/** Tickets with `column` before `at` (the backlog before the range starts). */
export async function countBefore(db: AnyDb, scope: ReportScope, column: 'created_at' | 'resolved_at', at: string): Promise<number> {
  const r = await ticketsIn(db, scope, 'none').select(sql<number>`count(*)`.as('n')).where(sql.ref(`tickets.${column}`), '<', at).executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** A reopen in the event log: resolved back to an active status (closed is final, see ticket-status.ts). */
export const REOPEN_FROM = 'resolved';
export const REOPEN_TO = ['open', 'in_progress', 'waiting'];

/**
 * Whether the ticket (`tickets` in the outer query; Kysely parenthesises the subquery) was ever reopened, from its event log rather
 * than the counter on its row, so the reopen rate is computed from the history it describes.
 */
export const everReopened = (db: AnyDb): RawBuilder<boolean> =>
  sql<boolean>`EXISTS ${q(db)
    .selectFrom('ticket_events as re')
    .select(sql.lit(1).as('one'))
    .where('re.ticket_id', '=', sql<string>`tickets.id`)
    .where('re.action', '=', 'status_changed')
    .where(jsonScalarText(db, 're.from_value'), '=', REOPEN_FROM)
    .where(jsonScalarText(db, 're.to_value'), 'in', REOPEN_TO)}`;

/**
 * Reopens from the event log: a status change from resolved back to an active status, counted
 * once per ticket and local day.
 */
export async function reopensByDay(db: AnyDb, scope: ReportScope, by: ReportDimension): Promise<DayCount[]> {
  const day = localDate(db, 'ticket_events.at', scope.timeZone, scope.stretches);
  const base = q(db).selectFrom('ticket_events').innerJoin('tickets', 'tickets.id', 'ticket_events.ticket_id');
  const joined = by === 'tag' ? base.leftJoin('ticket_tags', 'ticket_tags.ticket_id', 'tickets.id') : base;
  const rows = await joined
    .select([day.as('d'), dimensionKey(by).as('k'), sql<number>`count(distinct ticket_events.ticket_id)`.as('n')])
    .where('ticket_events.action', '=', 'status_changed')
    .where('ticket_events.at', '>=', scope.fromAt)
    .where('ticket_events.at', '<', scope.toAt)
    .where(jsonScalarText(db, 'ticket_events.from_value'), '=', REOPEN_FROM)
    .where(jsonScalarText(db, 'ticket_events.to_value'), 'in', REOPEN_TO)
    .where(scoped(scope))
    .groupBy([sql`1`, sql`2`])
    .execute();
  return toDayCounts(rows);
}

/** Durations as a histogram: whole minutes under a day, whole hours above, with exact sums. */
export interface DurationBucket {
  key: string | null;
  minutes: number;
  n: number;
  seconds: number;
}

/** The histogram bucket of a whole-minute duration (also what the rollups store). */
export const bucketOf = (m: RawBuilder<number>) => sql<number>`(CASE WHEN ${m} < 1440 THEN ${m} ELSE (${m} / 60) * 60 END)`;

/**
 * First response: tickets created in the range that were answered (created -> first reply).
 * Resolution: tickets resolved in the range (created -> last resolution), in calendar time.
 */
export async function durationHistogram(db: AnyDb, scope: ReportScope, metric: 'first_response' | 'resolution', by: ReportDimension): Promise<DurationBucket[]> {
  const end = metric === 'first_response' ? 'tickets.first_response_at' : 'tickets.resolved_at';
  const range = metric === 'first_response' ? 'tickets.created_at' : 'tickets.resolved_at';
  const minutes = elapsedMinutes(db, 'tickets.created_at', end);
  const rows = await ticketsIn(db, scope, by)
    .select([dimensionKey(by).as('k'), bucketOf(minutes).as('m'), sql<number>`count(*)`.as('n'), sql<number>`sum(${elapsedSeconds(db, 'tickets.created_at', end)})`.as('s')])
    .where(sql.ref(range), '>=', scope.fromAt)
    .where(sql.ref(range), '<', scope.toAt)
    .where(sql.ref(end), 'is not', null)
    .groupBy([sql`1`, sql`2`])
    .execute();
  return rows.map((r) => ({ key: r.k === null ? null : String(r.k), minutes: Number(r.m), n: Number(r.n), seconds: Number(r.s) }));
}

export const AGE_BUCKETS = [
  { key: 'lt_1d', label: '< 1 day', days: 1 },
  { key: '1_3d', label: '1-3 days', days: 3 },
  { key: '3_7d', label: '3-7 days', days: 7 },
  { key: '7_30d', label: '7-30 days', days: 30 },
  { key: 'gt_30d', label: '> 30 days', days: Infinity },
] as const;

/** Open tickets now (open, in progress, waiting), by status, age bucket and assignment. */
export async function openNow(db: AnyDb, scope: ReportScope, by: ReportDimension): Promise<{ key: string | null; status: string; age: string; unassigned: boolean; n: number }[]> {
  const iso = (days: number) => new Date(scope.now.getTime() - days * 86_400_000).toISOString();
  const finite = AGE_BUCKETS.filter((b) => Number.isFinite(b.days));
  const age = sql<string>`(CASE ${sql.join(
    finite.map((b) => sql`WHEN tickets.created_at >= ${iso(b.days)} THEN ${b.key}`),
    sql` `,
  )} ELSE ${AGE_BUCKETS[AGE_BUCKETS.length - 1]!.key} END)`;
  const rows = await ticketsIn(db, scope, by)
    .select([dimensionKey(by).as('k'), 'tickets.status as st', age.as('a'), sql<number>`(CASE WHEN tickets.assignee_id IS NULL THEN 1 ELSE 0 END)`.as('u'), sql<number>`count(*)`.as('n')])
    .where('tickets.is_open', '=', 1)
    .groupBy([sql`1`, sql`2`, sql`3`, sql`4`])
    .execute();
  return rows.map((r) => ({ key: r.k === null ? null : String(r.k), status: String(r.st), age: String(r.a), unassigned: Number(r.u) === 1, n: Number(r.n) }));
}

/** Tickets resolved in the range by key, and how many of them were ever reopened (from the event log). */
export async function resolvedWithReopens(db: AnyDb, scope: ReportScope, by: ReportDimension): Promise<{ key: string | null; resolved: number; reopened: number }[]> {
  const rows = await ticketsIn(db, scope, by)
    .select([dimensionKey(by).as('k'), sql<number>`count(*)`.as('n'), sql<number>`sum(CASE WHEN ${everReopened(db)} THEN 1 ELSE 0 END)`.as('r')])
    .where('tickets.resolved_at', '>=', scope.fromAt)
    .where('tickets.resolved_at', '<', scope.toAt)
    .groupBy(sql`1`)
    .execute();
  return rows.map((r) => ({ key: r.k === null ? null : String(r.k), resolved: Number(r.n), reopened: Number(r.r ?? 0) }));
}

/** Per assignee: tickets created in the range, how many are resolved now, first-response sums. */
export async function assignedCreated(db: AnyDb, scope: ReportScope): Promise<{ agentId: string | null; assigned: number; resolvedNow: number; answered: number; responseSeconds: number }[]> {
  const rows = await ticketsIn(db, scope, 'none')
    .select([
      'tickets.assignee_id as k',
      sql<number>`count(*)`.as('n'),
      sql<number>`sum(CASE WHEN tickets.resolved_at IS NOT NULL THEN 1 ELSE 0 END)`.as('r'),
      sql<number>`sum(CASE WHEN tickets.first_response_at IS NOT NULL THEN 1 ELSE 0 END)`.as('a'),
      sql<number>`sum(CASE WHEN tickets.first_response_at IS NOT NULL THEN ${elapsedSeconds(db, 'tickets.created_at', 'tickets.first_response_at')} ELSE 0 END)`.as('s'),
    ])
    .where('tickets.created_at', '>=', scope.fromAt)
    .where('tickets.created_at', '<', scope.toAt)
    .groupBy('tickets.assignee_id')
    .execute();
  return rows.map((r) => ({ agentId: r.k, assigned: Number(r.n), resolvedNow: Number(r.r ?? 0), answered: Number(r.a ?? 0), responseSeconds: Number(r.s ?? 0) }));
}

/** Replies sent by each agent in the range (public replies, not notes), from the event log. */
export async function repliesByAgent(db: AnyDb, scope: ReportScope): Promise<{ agentId: string; replies: number; tickets: number }[]> {
  const rows = await q(db)
    .selectFrom('ticket_events')
    .innerJoin('tickets', 'tickets.id', 'ticket_events.ticket_id')
    .select(['ticket_events.actor_id as k', sql<number>`count(*)`.as('n'), sql<number>`count(distinct ticket_events.ticket_id)`.as('t')])
    .where('ticket_events.action', '=', 'message_added')
    .where('ticket_events.at', '>=', scope.fromAt)
    .where('ticket_events.at', '<', scope.toAt)
    .where('ticket_events.actor_type', '=', 'user')
    .where(jsonText(db, 'ticket_events.to_value', 'kind'), '=', 'reply')
    .where(scoped(scope))
    .groupBy('ticket_events.actor_id')
    .execute();
  return rows.filter((r) => r.k !== null).map((r) => ({ agentId: r.k!, replies: Number(r.n), tickets: Number(r.t) }));
}

/** Minutes logged on work dates from..to (calendar dates) on tickets in scope, by one property. */
export async function timeLogged(db: AnyDb, scope: ReportScope, by: 'agent' | 'type' | 'organization'): Promise<{ key: string | null; minutes: number; tickets: number; entries: number }[]> {
  const key = by === 'agent' ? sql.ref('time_entries.user_id') : by === 'type' ? sql.ref('tickets.type') : sql.ref('tickets.organization_id');
  const rows = await q(db)
    .selectFrom('time_entries')
    .innerJoin('tickets', 'tickets.id', 'time_entries.ticket_id')
    .select([sql<string | null>`${key}`.as('k'), sql<number>`sum(time_entries.minutes)`.as('m'), sql<number>`count(distinct time_entries.ticket_id)`.as('t'), sql<number>`count(*)`.as('e')])
    .where('time_entries.work_date', '>=', scope.from)
    .where('time_entries.work_date', '<=', scope.to)
    .where(scoped(scope))
    .groupBy(sql`1`)
    .execute();
  return rows.map((r) => ({ key: r.k === null ? null : String(r.k), minutes: Number(r.m ?? 0), tickets: Number(r.t), entries: Number(r.e) }));
}

export interface TicketExportRow {
  id: string;
  number: number;
  subject: string;
  status: string;
  priority: string;
  type: string;
  channel: string;
  groupId: string | null;
  assigneeId: string | null;
  createdAt: string;
  firstResponseAt: string | null;
  resolvedAt: string | null;
  reopenCount: number;
}

/** One keyset page of the tickets created in the range, oldest first (the streamed CSV export). */
export async function ticketExportPage(db: AnyDb, scope: ReportScope, after: { createdAt: string; id: string } | null, limit: number): Promise<TicketExportRow[]> {
  let sel = ticketsIn(db, scope, 'none')
    .select(['tickets.id', 'tickets.number', 'tickets.subject', 'tickets.status', 'tickets.priority', 'tickets.type', 'tickets.channel', 'tickets.group_id', 'tickets.assignee_id', 'tickets.created_at', 'tickets.first_response_at', 'tickets.resolved_at', 'tickets.reopen_count'])
    .where('tickets.created_at', '>=', scope.fromAt)
    .where('tickets.created_at', '<', scope.toAt);
  if (after) sel = sel.where((eb) => eb.or([eb('tickets.created_at', '>', after.createdAt), eb.and([eb('tickets.created_at', '=', after.createdAt), eb('tickets.id', '>', after.id)])]));
  const rows = await sel.orderBy('tickets.created_at').orderBy('tickets.id').limit(limit).execute();
  const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());
  return rows.map((r) => ({
    id: r.id,
    number: Number(r.number),
    subject: r.subject,
    status: r.status,
    priority: r.priority,
    type: r.type,
    channel: r.channel,
    groupId: r.group_id,
    assigneeId: r.assignee_id,
    createdAt: iso(r.created_at)!,
    firstResponseAt: iso(r.first_response_at),
    resolvedAt: iso(r.resolved_at),
    reopenCount: Number(r.reopen_count),
  }));
}

/** One keyset page of (ticket, key, start, end) for durations measured outside SQL (business hours). */
export async function durationRows(
  db: AnyDb,
  scope: ReportScope,
  metric: 'first_response' | 'resolution',
  by: ReportDimension,
  after: { id: string; key: string } | null,
  limit: number,
): Promise<{ id: string; key: string | null; from: string; to: string }[]> {
  const end = metric === 'first_response' ? 'tickets.first_response_at' : 'tickets.resolved_at';
  const range = metric === 'first_response' ? 'tickets.created_at' : 'tickets.resolved_at';
  const key = sql<string>`coalesce(${dimensionKey(by)}, '')`;
  let sel = ticketsIn(db, scope, by)
    .select(['tickets.id', key.as('k'), 'tickets.created_at as a', sql<string>`${sql.ref(end)}`.as('b')])
    .where(sql.ref(range), '>=', scope.fromAt)
    .where(sql.ref(range), '<', scope.toAt)
    .where(sql.ref(end), 'is not', null);
  if (after) sel = sel.where((eb) => eb.or([eb('tickets.id', '>', after.id), eb.and([eb('tickets.id', '=', after.id), eb(key, '>', after.key)])]));
  const rows = await sel.orderBy('tickets.id').orderBy(key).limit(limit).execute();
  const iso = (v: unknown) => new Date(v as string).toISOString();
  return rows.map((r) => ({ id: r.id, key: r.k === '' ? null : String(r.k), from: iso(r.a), to: iso(r.b) }));
}
