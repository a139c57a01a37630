import type { Kysely } from 'kysely';
import type { AnyDb } from '../../platform/db/database.js';
import { jsonParam, toBool, toJson } from '../../platform/db/rows.js';
import type { TicketSort } from './tickets.repository.js';
import type { TicketTables } from './tickets.tables.js';

const q = (db: AnyDb) => db as Kysely<TicketTables>;

export interface SavedView {
  id: string;
  name: string;
  ownerId: string | null;
  shared: boolean;
  query: string;
  columns: string[];
  sort: TicketSort;
  position: number;
}

const toView = (r: TicketTables['views']): SavedView => ({
  id: r.id,
  name: r.name,
  ownerId: r.owner_id,
  shared: toBool(r.shared),
  query: r.query,
  columns: toJson<string[]>(r.columns, []),
  sort: r.sort as TicketSort,
  position: Number(r.position),
});

/** The actor's own views and every shared view. */
export async function listVisibleViews(db: AnyDb, userId: string): Promise<SavedView[]> {
  const rows = await q(db)
    .selectFrom('views')
    .selectAll()
    .where((eb) => eb.or([eb('owner_id', '=', userId), eb('shared', '=', 1)]))
    .orderBy('position')
    .orderBy('name')
    .execute();
  return rows.map(toView);
}

export async function findView(db: AnyDb, id: string): Promise<SavedView | undefined> {
  const r = await q(db).selectFrom('views').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toView(r) : undefined;
}

export async function insertView(db: AnyDb, v: SavedView, at: string): Promise<void> {
  await q(db)
    .insertInto('views')
    .values({ id: v.id, name: v.name, owner_id: v.ownerId, shared: v.shared ? 1 : 0, query: v.query, columns: jsonParam(v.columns), sort: v.sort, position: v.position, created_at: at, updated_at: at })
    .execute();
}

export async function updateViewRow(db: AnyDb, v: SavedView, at: string): Promise<void> {
  await q(db)
    .updateTable('views')
    .set({ name: v.name, shared: v.shared ? 1 : 0, query: v.query, columns: jsonParam(v.columns), sort: v.sort, position: v.position, updated_at: at })
    .where('id', '=', v.id)
    .execute();
}

export async function deleteViewRow(db: AnyDb, id: string): Promise<void> {
  await q(db).deleteFrom('views').where('id', '=', id).execute();
}
