import type { Kysely } from 'kysely';
import type { AnyDb } from '../db/dialect/types.js';

interface RealtimeTables {
  realtime_payloads: { id: string; payload: string; created_at: string };
}
const q = (db: AnyDb) => db as Kysely<RealtimeTables>;

/** A message too big for NOTIFY, parked for the listeners to fetch by id. */
export async function insertPayload(db: AnyDb, id: string, payload: string, at: Date): Promise<void> {
  await q(db).insertInto('realtime_payloads').values({ id, payload, created_at: at.toISOString() }).execute();
}

export async function findPayload(db: AnyDb, id: string): Promise<string | undefined> {
  return (await q(db).selectFrom('realtime_payloads').select('payload').where('id', '=', id).executeTakeFirst())?.payload;
}

/** Listeners fetch a parked payload within moments; anything older is of no use. */
export async function prunePayloads(db: AnyDb, before: Date): Promise<void> {
  await q(db).deleteFrom('realtime_payloads').where('created_at', '<', before.toISOString()).execute();
}
