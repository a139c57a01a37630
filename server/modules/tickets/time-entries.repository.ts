import { sql, type Kysely } from 'kysely';
import type { AnyDb } from '../../platform/db/database.js';
import { toIso } from '../../platform/db/rows.js';

interface TimeEntryTables {
  time_entries: { id: string; ticket_id: string; user_id: string; minutes: number; note: string; work_date: string; created_at: string; updated_at: string };
}
const q = (db: AnyDb) => db as Kysely<TimeEntryTables>;

export interface TimeEntry {
  id: string;
  ticketId: string;
  userId: string;
  minutes: number;
  note: string;
  date: string;
  createdAt: string;
  updatedAt: string;
}

const toEntry = (r: TimeEntryTables['time_entries']): TimeEntry => ({
  id: r.id,
  ticketId: r.ticket_id,
  userId: r.user_id,
  minutes: Number(r.minutes),
  note: r.note,
  date: r.work_date,
  createdAt: toIso(r.created_at),
  updatedAt: toIso(r.updated_at),
});

export async function insertTimeEntry(db: AnyDb, e: TimeEntry): Promise<void> {
  await q(db)
    .insertInto('time_entries')
    .values({ id: e.id, ticket_id: e.ticketId, user_id: e.userId, minutes: e.minutes, note: e.note, work_date: e.date, created_at: e.createdAt, updated_at: e.updatedAt })
    .execute();
}

export async function updateTimeEntryRow(db: AnyDb, e: TimeEntry): Promise<void> {
  await q(db).updateTable('time_entries').set({ minutes: e.minutes, note: e.note, work_date: e.date, updated_at: e.updatedAt }).where('id', '=', e.id).execute();
}

export async function deleteTimeEntryRow(db: AnyDb, id: string): Promise<void> {
  await q(db).deleteFrom('time_entries').where('id', '=', id).execute();
}

export async function findTimeEntry(db: AnyDb, id: string): Promise<TimeEntry | undefined> {
  const r = await q(db).selectFrom('time_entries').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toEntry(r) : undefined;
}

/** A ticket's entries by day of work (index time_entries_ticket). */
export async function listTimeEntriesOf(db: AnyDb, ticketId: string): Promise<TimeEntry[]> {
  const rows = await q(db).selectFrom('time_entries').selectAll().where('ticket_id', '=', ticketId).orderBy('work_date').orderBy('id').execute();
  return rows.map(toEntry);
}

export async function totalMinutesOf(db: AnyDb, ticketId: string): Promise<number> {
  const r = await q(db).selectFrom('time_entries').select(sql<number>`coalesce(sum(minutes), 0)`.as('n')).where('ticket_id', '=', ticketId).executeTakeFirst();
  return Number(r?.n ?? 0);
}
