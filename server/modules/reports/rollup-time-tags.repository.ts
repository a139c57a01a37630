import { sql, type Kysely } from 'kysely';
import type { AnyDb } from '../../platform/db/database.js';
import { daysBetweenDates } from '../../platform/db/dialect/report-sql.js';
import type { ReportTables } from './reports.tables.js';

/**
 * The tags a ticket is counted under and the time logged on it, per ticket (beside
 * report_ticket_facts): copies of ticket_tags and of time_entries grouped by agent and work
 * date, so a change moves the ticket's cells from what was counted to what is true now.
 */

const q = (db: AnyDb) => db as Kysely<ReportTables>;

/** Time one agent logged on one ticket on one work date; `gap`: days since that agent's previous work date on it (0: first). */
export interface TimeDay {
  agentId: string;
  day: string;
  minutes: number;
  entries: number;
  gap: number;
}

// Sorted in JS, not by SQL collation (which differs between dialects), so the stored and the
// recomputed lists compare equal.
const sortTags = (tags: string[]) => [...tags].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

type TagsAndTime<T> = { tags: string[]; time: T[] };

/** Sorts rows of many tickets into each ticket's tags and time (every asked ticket gets an entry). */
function collect<T>(ticketIds: readonly string[], tags: readonly { ticket_id: string; tag: string }[], time: readonly [string, T][]): Map<string, TagsAndTime<T>> {
  const out = new Map<string, TagsAndTime<T>>(ticketIds.map((id) => [id, { tags: [], time: [] }]));
  for (const t of tags) out.get(t.ticket_id)!.tags.push(t.tag);
  for (const [ticketId, t] of time) out.get(ticketId)!.time.push(t);
  for (const v of out.values()) v.tags = sortTags(v.tags);
  return out;
}

/** The tickets' tags and time logged now, from ticket_tags and time_entries (gaps not yet set). */
export async function currentTagsAndTime(db: AnyDb, ticketIds: readonly string[]): Promise<Map<string, TagsAndTime<Omit<TimeDay, 'gap'>>>> {
  const tags = await q(db).selectFrom('ticket_tags').select(['ticket_id', 'tag']).where('ticket_id', 'in', ticketIds).execute();
  const time = await q(db)
    .selectFrom('time_entries')
    .select(['ticket_id', 'user_id', 'work_date', sql<number>`sum(minutes)`.as('m'), sql<number>`count(*)`.as('e')])
    .where('ticket_id', 'in', ticketIds)
    .groupBy(['ticket_id', 'user_id', 'work_date'])
    .execute();
  return collect(
    ticketIds,
    tags,
    time.map((t) => [t.ticket_id, { agentId: t.user_id, day: String(t.work_date), minutes: Number(t.m), entries: Number(t.e) }]),
  );
}

/** What the rollups counted for the tickets (sorted as TicketFacts holds them). */
export async function readTagsAndTime(db: AnyDb, ticketIds: readonly string[]): Promise<Map<string, TagsAndTime<TimeDay>>> {
  const tags = await q(db).selectFrom('report_ticket_tags').select(['ticket_id', 'tag']).where('ticket_id', 'in', ticketIds).execute();
  const time = await q(db).selectFrom('report_ticket_time').select(['ticket_id', 'agent_id', 'day', 'minutes', 'entries', 'gap']).where('ticket_id', 'in', ticketIds).orderBy('ticket_id').orderBy('agent_id').orderBy('day').execute();
  return collect(
    ticketIds,
    tags,
    time.map((t) => [t.ticket_id, { agentId: t.agent_id, day: t.day, minutes: Number(t.minutes), entries: Number(t.entries), gap: Number(t.gap) }]),
  );
}

/** Replaces the copies: `stale` are the tickets that had facts (their rows go first). */
export async function writeTagsAndTime(db: AnyDb, stale: readonly string[], writes: readonly { ticketId: string; facts: TagsAndTime<TimeDay> | null }[]): Promise<void> {
  if (stale.length) {
    await q(db).deleteFrom('report_ticket_tags').where('ticket_id', 'in', stale).execute();
    await q(db).deleteFrom('report_ticket_time').where('ticket_id', 'in', stale).execute();
  }
  const tags = writes.flatMap((w) => (w.facts?.tags ?? []).map((tag) => ({ ticket_id: w.ticketId, tag })));
  const time = writes.flatMap((w) => (w.facts?.time ?? []).map((t) => ({ ticket_id: w.ticketId, agent_id: t.agentId, day: t.day, minutes: t.minutes, entries: t.entries, gap: t.gap })));
  for (let i = 0; i < tags.length; i += ROWS_CHUNK) await q(db).insertInto('report_ticket_tags').values(tags.slice(i, i + ROWS_CHUNK)).execute();
  for (let i = 0; i < time.length; i += ROWS_CHUNK) await q(db).insertInto('report_ticket_time').values(time.slice(i, i + ROWS_CHUNK)).execute();
}

/** Rows per insert: well under either dialect's limit of bound parameters. */
const ROWS_CHUNK = 500;

/** Rebuilds both copies in SQL for the tickets that have facts (live tickets); facts must be built first. */
export async function buildTagsAndTime(db: AnyDb): Promise<void> {
  const tags = q(db).selectFrom('ticket_tags').innerJoin('report_ticket_facts as f', 'f.ticket_id', 'ticket_tags.ticket_id').select(['ticket_tags.ticket_id', 'ticket_tags.tag']);
  await q(db).insertInto('report_ticket_tags').columns(['ticket_id', 'tag']).expression(tags).execute();
  const perDay = q(db)
    .selectFrom('time_entries')
    .innerJoin('report_ticket_facts as f', 'f.ticket_id', 'time_entries.ticket_id')
    .select(['time_entries.ticket_id', 'time_entries.user_id as agent_id', 'time_entries.work_date as day', sql<number>`sum(time_entries.minutes)`.as('minutes'), sql<number>`count(*)`.as('entries')])
    .groupBy([sql`1`, sql`2`, sql`3`]);
  const previous = sql`lag(d.day) OVER (PARTITION BY d.ticket_id, d.agent_id ORDER BY d.day)`;
  const rows = q(db)
    .selectFrom(perDay.as('d'))
    .select(['d.ticket_id', 'd.agent_id', 'd.day', 'd.minutes', 'd.entries', sql<number>`coalesce(${daysBetweenDates(db, previous, sql`d.day`)}, 0)`.as('gap')]);
  await q(db).insertInto('report_ticket_time').columns(['ticket_id', 'agent_id', 'day', 'minutes', 'entries', 'gap']).expression(rows).execute();
}
