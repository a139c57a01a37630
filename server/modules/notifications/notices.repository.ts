import type { Kysely } from 'kysely';
import type { AnyDb } from '../../platform/db/database.js';
import { toBool, toIso, toIsoOrNull } from '../../platform/db/rows.js';

interface NoticeTables {
  notices: { id: string; title: string; body: string; pinned: number; expires_at: string | null; author_id: string | null; created_at: string; updated_at: string };
}
const q = (db: AnyDb) => db as Kysely<NoticeTables>;

export interface Notice {
  id: string;
  title: string;
  body: string;
  pinned: boolean;
  expiresAt: string | null;
  authorId: string | null;
  createdAt: string;
  updatedAt: string;
}

const toNotice = (r: NoticeTables['notices']): Notice => ({
  id: r.id,
  title: r.title,
  body: r.body,
  pinned: toBool(r.pinned),
  expiresAt: toIsoOrNull(r.expires_at),
  authorId: r.author_id,
  createdAt: toIso(r.created_at),
  updatedAt: toIso(r.updated_at),
});

const toRow = (n: Notice): NoticeTables['notices'] => ({
  id: n.id,
  title: n.title,
  body: n.body,
  pinned: n.pinned ? 1 : 0,
  expires_at: n.expiresAt,
  author_id: n.authorId,
  created_at: n.createdAt,
  updated_at: n.updatedAt,
});

export async function insertNotice(db: AnyDb, n: Notice): Promise<void> {
  await q(db).insertInto('notices').values(toRow(n)).execute();
}

export async function updateNoticeRow(db: AnyDb, n: Notice): Promise<void> {
  const { id: _id, ...rest } = toRow(n);
  await q(db).updateTable('notices').set(rest).where('id', '=', n.id).execute();
}

export async function deleteNoticeRow(db: AnyDb, id: string): Promise<void> {
  await q(db).deleteFrom('notices').where('id', '=', id).execute();
}

export async function findNotice(db: AnyDb, id: string): Promise<Notice | undefined> {
  const r = await q(db).selectFrom('notices').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toNotice(r) : undefined;
}

/** Pinned first, then newest; `activeAt` leaves out notices that expired by then. A board holds a few dozen rows. */
export async function listNoticeRows(db: AnyDb, activeAt: string | null): Promise<Notice[]> {
  let sel = q(db).selectFrom('notices').selectAll();
  if (activeAt) sel = sel.where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', activeAt)]));
  return (await sel.orderBy('pinned', 'desc').orderBy('created_at', 'desc').orderBy('id', 'desc').limit(200).execute()).map(toNotice);
}
