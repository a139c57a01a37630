import type { Kysely } from 'kysely';
import type { AnyDb } from '../../../platform/db/dialect/types.js';
import { toIso, toIsoOrNull } from '../../../platform/db/rows.js';
import { capabilitiesOf } from '../../../platform/db/dialect/sql.js';

interface PhoneTables {
  phone_calls: {
    id: string;
    ticket_id: string;
    message_id: string | null;
    contact_id: string;
    user_id: string | null;
    direction: string;
    number: string;
    duration_seconds: number;
    notes: string;
    recording_url: string | null;
    external_id: string | null;
    started_at: string;
    created_at: string;
  };
  phone_callbacks: {
    id: string;
    ticket_id: string;
    user_id: string;
    number: string;
    notes: string;
    due_at: string;
    status: string;
    notified_at: string | null;
    created_by: string | null;
    created_at: string;
    updated_at: string;
  };
}
const q = (db: AnyDb) => db as unknown as Kysely<PhoneTables>;

export interface Call {
  id: string;
  ticketId: string;
  messageId: string | null;
  contactId: string;
  userId: string | null;
  direction: 'inbound' | 'outbound';
  number: string;
  durationSeconds: number;
  notes: string;
  recordingUrl: string | null;
  externalId: string | null;
  startedAt: string;
  createdAt: string;
}

export type CallbackStatus = 'scheduled' | 'due' | 'done' | 'cancelled';

export interface Callback {
  id: string;
  ticketId: string;
  userId: string;
  number: string;
  notes: string;
  dueAt: string;
  status: CallbackStatus;
  notifiedAt: string | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

const toCall = (r: PhoneTables['phone_calls']): Call => ({
  id: r.id,
  ticketId: r.ticket_id,
  messageId: r.message_id,
  contactId: r.contact_id,
  userId: r.user_id,
  direction: r.direction as Call['direction'],
  number: r.number,
  durationSeconds: Number(r.duration_seconds),
  notes: r.notes,
  recordingUrl: r.recording_url,
  externalId: r.external_id,
  startedAt: toIso(r.started_at),
  createdAt: toIso(r.created_at),
});

const toCallback = (r: PhoneTables['phone_callbacks']): Callback => ({
  id: r.id,
  ticketId: r.ticket_id,
  userId: r.user_id,
  number: r.number,
  notes: r.notes,
  dueAt: toIso(r.due_at),
  status: r.status as CallbackStatus,
  notifiedAt: toIsoOrNull(r.notified_at),
  createdBy: r.created_by,
  createdAt: toIso(r.created_at),
  updatedAt: toIso(r.updated_at),
});

export async function insertCall(db: AnyDb, c: Call): Promise<void> {
  await q(db)
    .insertInto('phone_calls')
    .values({
      id: c.id,
      ticket_id: c.ticketId,
      message_id: c.messageId,
      contact_id: c.contactId,
      user_id: c.userId,
      direction: c.direction,
      number: c.number,
      duration_seconds: c.durationSeconds,
      notes: c.notes,
      recording_url: c.recordingUrl,
      external_id: c.externalId,
      started_at: c.startedAt,
      created_at: c.createdAt,
    })
    .execute();
}

export async function findCallByExternalId(db: AnyDb, externalId: string): Promise<Call | undefined> {
  const r = await q(db).selectFrom('phone_calls').selectAll().where('external_id', '=', externalId).executeTakeFirst();
  return r ? toCall(r) : undefined;
}

export async function listCallsOfTicket(db: AnyDb, ticketId: string): Promise<Call[]> {
  const rows = await q(db).selectFrom('phone_calls').selectAll().where('ticket_id', '=', ticketId).orderBy('started_at', 'asc').orderBy('id', 'asc').execute();
  return rows.map(toCall);
}

export async function insertCallback(db: AnyDb, c: Callback): Promise<void> {
  await q(db)
    .insertInto('phone_callbacks')
    .values({
      id: c.id,
      ticket_id: c.ticketId,
      user_id: c.userId,
      number: c.number,
      notes: c.notes,
      due_at: c.dueAt,
      status: c.status,
      notified_at: c.notifiedAt,
      created_by: c.createdBy,
      created_at: c.createdAt,
      updated_at: c.updatedAt,
    })
    .execute();
}

export async function findCallback(db: AnyDb, id: string, opts: { lock?: boolean } = {}): Promise<Callback | undefined> {
  let sel = q(db).selectFrom('phone_callbacks').selectAll().where('id', '=', id);
  // Row lock on PostgreSQL; SQLite's single writer already serialises.
  if (opts.lock && capabilitiesOf(db).rowLocks) sel = sel.forUpdate();
  const r = await sel.executeTakeFirst();
  return r ? toCallback(r) : undefined;
}

export async function saveCallback(db: AnyDb, c: Callback): Promise<void> {
  await q(db)
    .updateTable('phone_callbacks')
    .set({ status: c.status, due_at: c.dueAt, notified_at: c.notifiedAt, updated_at: c.updatedAt })
    .where('id', '=', c.id)
    .execute();
}

export async function listCallbackRows(db: AnyDb, f: { userId: string | null; statuses: CallbackStatus[]; limit: number }): Promise<Callback[]> {
  let sel = q(db).selectFrom('phone_callbacks').selectAll().where('status', 'in', f.statuses);
  if (f.userId) sel = sel.where('user_id', '=', f.userId);
  const rows = await sel.orderBy('due_at', 'asc').orderBy('id', 'asc').limit(f.limit).execute();
  return rows.map(toCallback);
}
