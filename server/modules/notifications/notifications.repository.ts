import { sql, type Kysely } from 'kysely';
import type { AnyDb } from '../../platform/db/database.js';
import { toBool, toIso, toIsoOrNull } from '../../platform/db/rows.js';
import type { NOTIFICATION_KINDS } from '../../../contracts/workspace.js';

interface NotificationTables {
  notifications: {
    id: string;
    user_id: string;
    kind: string;
    ticket_id: string;
    ticket_number: number;
    ticket_subject: string;
    message_id: string | null;
    actor_type: string;
    actor_id: string | null;
    actor_name: string;
    excerpt: string;
    dedupe_key: string;
    read: number;
    read_at: string | null;
    created_at: string;
  };
}
const q = (db: AnyDb) => db as Kysely<NotificationTables>;

export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface Notification {
  id: string;
  userId: string;
  kind: NotificationKind;
  ticketId: string;
  ticketNumber: number;
  ticketSubject: string;
  messageId: string | null;
  actorType: string;
  actorId: string | null;
  actorName: string;
  excerpt: string;
  /** One per cause and recipient (e.g. `mention:<message id>`). */
  dedupeKey: string;
  read: boolean;
  readAt: string | null;
  createdAt: string;
}

const toNotification = (r: NotificationTables['notifications']): Notification => ({
  id: r.id,
  userId: r.user_id,
  kind: r.kind as NotificationKind,
  ticketId: r.ticket_id,
  ticketNumber: Number(r.ticket_number),
  ticketSubject: r.ticket_subject,
  messageId: r.message_id,
  actorType: r.actor_type,
  actorId: r.actor_id,
  actorName: r.actor_name,
  excerpt: r.excerpt,
  dedupeKey: r.dedupe_key,
  read: toBool(r.read),
  readAt: toIsoOrNull(r.read_at),
  createdAt: toIso(r.created_at),
});

/** Inserts unless the recipient already has one for this cause; true when inserted. */
export async function insertNotification(db: AnyDb, n: Notification): Promise<boolean> {
  const rows = await q(db)
    .insertInto('notifications')
    .values({
      id: n.id,
      user_id: n.userId,
      kind: n.kind,
      ticket_id: n.ticketId,
      ticket_number: n.ticketNumber,
      ticket_subject: n.ticketSubject,
      message_id: n.messageId,
      actor_type: n.actorType,
      actor_id: n.actorId,
      actor_name: n.actorName,
      excerpt: n.excerpt,
      dedupe_key: n.dedupeKey,
      read: n.read ? 1 : 0,
      read_at: n.readAt,
      created_at: n.createdAt,
    })
    .onConflict((oc) => oc.columns(['user_id', 'dedupe_key']).doNothing())
    .returning('id')
    .execute();
  return rows.length > 0;
}

export async function findNotification(db: AnyDb, id: string): Promise<Notification | undefined> {
  const r = await q(db).selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toNotification(r) : undefined;
}

export async function findNotifications(db: AnyDb, ids: readonly string[]): Promise<Notification[]> {
  if (ids.length === 0) return [];
  return (await q(db).selectFrom('notifications').selectAll().where('id', 'in', [...new Set(ids)]).execute()).map(toNotification);
}

export type NotificationKey = { r: 0 | 1; id: string };

/** Unread first, newest first: a keyset walk of index notifications_user_read (user_id, read, id). */
export async function listNotificationPage(db: AnyDb, userId: string, opts: { unreadOnly: boolean; after?: NotificationKey | undefined; limit: number }): Promise<Notification[]> {
  let sel = q(db).selectFrom('notifications').selectAll().where('user_id', '=', userId);
  if (opts.unreadOnly) sel = sel.where('read', '=', 0);
  const a = opts.after;
  if (a) sel = sel.where((eb) => eb.or([eb('read', '>', a.r), eb.and([eb('read', '=', a.r), eb('id', '<', a.id)])]));
  const rows = await sel.orderBy('read', 'asc').orderBy('id', 'desc').limit(opts.limit).execute();
  return rows.map(toNotification);
}

export async function countUnread(db: AnyDb, userId: string): Promise<number> {
  const r = await q(db).selectFrom('notifications').select(sql<number>`count(*)`.as('n')).where('user_id', '=', userId).where('read', '=', 0).executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** Marks the user's unread notifications (all, or the given one) read; returns how many changed. */
export async function markRead(db: AnyDb, userId: string, at: string, id?: string): Promise<number> {
  let upd = q(db).updateTable('notifications').set({ read: 1, read_at: at }).where('user_id', '=', userId).where('read', '=', 0);
  if (id) upd = upd.where('id', '=', id);
  const r = await upd.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Deletes every notification about a ticket; returns the users who lost an unread one (their count changed). */
export async function deleteNotificationsOfTicket(db: AnyDb, ticketId: string): Promise<string[]> {
  const rows = await q(db).deleteFrom('notifications').where('ticket_id', '=', ticketId).returning(['user_id', 'read']).execute();
  return [...new Set(rows.filter((r) => !toBool(r.read)).map((r) => r.user_id))];
}
