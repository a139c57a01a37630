import { sql, type Kysely } from 'kysely';
import type { AnyDb } from '../db/dialect/types.js';
import { jsonParam, toJson } from '../db/rows.js';
import { capabilitiesOf } from '../db/dialect/sql.js';
import { uuidv7 } from '../ids.js';
import { insertRow, insertRows } from '../db/prepared.js';

interface OutboxTable {
  outbox_events: { id: string; name: string; payload: unknown; created_at: string; dispatched_at: string | null };
}
const q = (db: AnyDb) => db as Kysely<OutboxTable>;

export interface OutboxEvent {
  id: string;
  name: string;
  payload: unknown;
  createdAt: string;
}

export async function insertOutboxEvent(db: AnyDb, name: string, payload: unknown, at: Date): Promise<void> {
  await insertRow(q(db), 'outbox_events', { id: uuidv7(at.getTime()), name, payload: jsonParam(payload), created_at: at.toISOString(), dispatched_at: null });
}

/** Many events of one transaction, in order (a batch of new tickets). */
export async function insertOutboxEvents(db: AnyDb, events: readonly { name: string; payload: unknown }[], at: Date): Promise<void> {
  const createdAt = at.toISOString();
  await insertRows(q(db), 'outbox_events', events.map((e) => ({ id: uuidv7(at.getTime()), name: e.name, payload: jsonParam(e.payload), created_at: createdAt, dispatched_at: null })));
}

/** Whether any event waits, read without taking a lock (SQLite: on the reader, beside the writer). */
export async function anyPending(db: AnyDb): Promise<boolean> {
  return (await q(db).selectFrom('outbox_events').select('id').where('dispatched_at', 'is', null).limit(1).executeTakeFirst()) !== undefined;
}

/** Oldest undispatched events; on PostgreSQL rows another process holds are skipped. */
export async function claimPendingEvents(db: AnyDb, limit: number): Promise<OutboxEvent[]> {
  let query = q(db).selectFrom('outbox_events').selectAll().where('dispatched_at', 'is', null).orderBy('id').limit(limit);
  if (capabilitiesOf(db).skipLocked) query = query.forUpdate().skipLocked();
  const rows = await query.execute();
  return rows.map((r) => ({ id: r.id, name: r.name, payload: toJson(r.payload, null), createdAt: String(r.created_at) }));
}

export async function markDispatched(db: AnyDb, ids: string[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  await q(db).updateTable('outbox_events').set({ dispatched_at: at.toISOString() }).where('id', 'in', ids).execute();
}

/** Keeps the outbox small: dispatched rows older than the cut-off are removed. */
export async function pruneDispatched(db: AnyDb, before: Date): Promise<void> {
  await q(db).deleteFrom('outbox_events').where('dispatched_at', '<', before.toISOString()).execute();
}

export const countPending = async (db: AnyDb): Promise<number> =>
  Number((await q(db).selectFrom('outbox_events').select(sql<number>`count(*)`.as('n')).where('dispatched_at', 'is', null).executeTakeFirst())?.n ?? 0);
