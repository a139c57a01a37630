import type { Kysely } from 'kysely';
import type { AnyDb } from '../../platform/db/database.js';
import { containsInsensitive } from '../../platform/db/dialect/sql.js';
import { toIso } from '../../platform/db/rows.js';

interface CannedTables {
  canned_responses: { id: string; title: string; body: string; owner_id: string | null; created_by: string | null; created_at: string; updated_at: string };
}
const q = (db: AnyDb) => db as Kysely<CannedTables>;

export interface CannedResponse {
  id: string;
  title: string;
  body: string;
  /** null: shared with every agent. */
  ownerId: string | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

const toCanned = (r: CannedTables['canned_responses']): CannedResponse => ({
  id: r.id,
  title: r.title,
  body: r.body,
  ownerId: r.owner_id,
  createdBy: r.created_by,
  createdAt: toIso(r.created_at),
  updatedAt: toIso(r.updated_at),
});

export async function insertCanned(db: AnyDb, c: CannedResponse): Promise<void> {
  await q(db)
    .insertInto('canned_responses')
    .values({ id: c.id, title: c.title, body: c.body, owner_id: c.ownerId, created_by: c.createdBy, created_at: c.createdAt, updated_at: c.updatedAt })
    .execute();
}

export async function updateCannedRow(db: AnyDb, c: CannedResponse): Promise<void> {
  await q(db).updateTable('canned_responses').set({ title: c.title, body: c.body, updated_at: c.updatedAt }).where('id', '=', c.id).execute();
}

export async function deleteCannedRow(db: AnyDb, id: string): Promise<void> {
  await q(db).deleteFrom('canned_responses').where('id', '=', id).execute();
}

export async function findCanned(db: AnyDb, id: string): Promise<CannedResponse | undefined> {
  const r = await q(db).selectFrom('canned_responses').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toCanned(r) : undefined;
}

/** Shared responses and the user's own, by title (index canned_responses_owner). */
export async function listVisibleCanned(db: AnyDb, userId: string, search?: string): Promise<CannedResponse[]> {
  let sel = q(db)
    .selectFrom('canned_responses')
    .selectAll()
    .where((eb) => eb.or([eb('owner_id', 'is', null), eb('owner_id', '=', userId)]));
  if (search) sel = sel.where((eb) => eb.or([containsInsensitive(db, 'title', search), containsInsensitive(db, 'body', search)]));
  return (await sel.orderBy('title').orderBy('id').limit(500).execute()).map(toCanned);
}
