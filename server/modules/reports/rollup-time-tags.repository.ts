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

/** The ticket's tags and time logged now, from ticket_tags and time_entries (gaps not yet set). */
export async function currentTagsAndTime(db: AnyDb, ticketId: string): Promise<{ tags: string[]; time: Omit<TimeDay, 'gap'>[] }> {
  const tags = await q(db).selectFrom('ticket_tags').select('tag').where('ticket_id', '=', ticketId).execute();
  const time = await q(db)
    .selectFrom('time_entries')
    .select(['user_id', 'work_date', sql<number>`sum(minutes)`.as('m'), sql<number>`count(*)`.as('e')])
    .where('ticket_id', '=', ticketId)
    .groupBy(['user_id', 'work_date'])
    .execute();
  return { tags: sortTags(tags.map((t) => t.tag)), time: time.map((t) => ({ agentId: t.user_id, day: String(t.work_date), minutes: Number(t.m), entries: Number(t.e) })) };
}

/** What the rollups counted for the ticket (sorted as TicketFacts holds them). */
export async function readTagsAndTime(db: AnyDb, ticketId: string): Promise<{ tags: string[]; time: TimeDay[] }> {
  const tags = await q(db).selectFrom('report_ticket_tags').select('tag').where('ticket_id', '=', ticketId).execute();
  const time = await q(db).selectFrom('report_ticket_time').select(['agent_id', 'day', 'minutes', 'entries', 'gap']).where('ticket_id', '=', ticketId).orderBy('agent_id').orderBy('day').execute();
  return { tags: sortTags(tags.map((t) => t.tag)), time: time.map((t) => ({ agentId: t.agent_id, day: t.day, minutes: Number(t.minutes), entries: Number(t.entries), gap: Number(t.gap) })) };
}

export async function writeTagsAndTime(db: AnyDb, ticketId: string, f: { tags: string[]; time: TimeDay[] } | null, fresh: boolean): Promise<void> {
  if (!fresh) {
    await q(db).deleteFrom('report_ticket_tags').where('ticket_id', '=', ticketId).execute();
    await q(db).deleteFrom('report_ticket_time').where('ticket_id', '=', ticketId).execute();
  }
  if (!f) return;
  if (f.tags.length) await q(db).insertInto('report_ticket_tags').values(f.tags.map((tag) => ({ ticket_id: ticketId, tag }))).execute();
  if (f.time.length) await q(db).insertInto('report_ticket_time').values(f.time.map((t) => ({ ticket_id: ticketId, agent_id: t.agentId, day: t.day, minutes: t.minutes, entries: t.entries, gap: t.gap }))).execute();
}

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
