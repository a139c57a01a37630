import type { NotificationResponse } from '../../../contracts/workspace.js';
import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { forbidden, notFound } from '../../platform/errors.js';
import { emit } from '../../platform/events/emit.js';
import { decodeCursor, encodeCursor } from '../../platform/http/cursor.js';
import { countUnread, deleteNotificationsOfTicket, findNotification, listNotificationPage, markRead, type Notification, type NotificationKey } from './notifications.repository.js';

function userOf(ctx: Ctx): string {
  if (ctx.actor.type !== 'user') throw forbidden('Notifications belong to agents');
  return ctx.actor.id;
}

const isKey = (v: unknown): v is NotificationKey =>
  typeof v === 'object' && v !== null && ((v as NotificationKey).r === 0 || (v as NotificationKey).r === 1) && typeof (v as NotificationKey).id === 'string';

export const presentNotification = (n: Notification): NotificationResponse => ({
  id: n.id,
  kind: n.kind,
  ticket: { id: n.ticketId, number: n.ticketNumber, subject: n.ticketSubject },
  messageId: n.messageId,
  actor: { type: n.actorType, id: n.actorId, name: n.actorName },
  excerpt: n.excerpt,
  read: n.read,
  readAt: n.readAt,
  createdAt: n.createdAt,
});

export async function listNotifications(ctx: Ctx, input: { cursor?: string | undefined; limit: number; unreadOnly: boolean }): Promise<{ items: Notification[]; nextCursor: string | null }> {
  const userId = userOf(ctx);
  const items = await listNotificationPage(ctx.db, userId, { unreadOnly: input.unreadOnly, after: decodeCursor('notifications', input.cursor, isKey, { unread: input.unreadOnly }), limit: input.limit });
  const last = items.length === input.limit ? items[items.length - 1] : undefined;
  return { items, nextCursor: last ? encodeCursor('notifications', { r: last.read ? 1 : 0, id: last.id } satisfies NotificationKey, { unread: input.unreadOnly }) : null };
}

export async function unreadCount(ctx: Ctx): Promise<number> {
  return countUnread(ctx.db, userOf(ctx));
}

/** Marks one of the agent's notifications read (404 for anyone else's); other tabs hear of it. */
export async function readOne(ctx: Ctx, id: string): Promise<Notification> {
  const userId = userOf(ctx);
  return inTransaction(ctx, async (tx) => {
    const n = await findNotification(tx.db, id);
    if (!n || n.userId !== userId) throw notFound('Notification');
    if (n.read) return n;
    await markRead(tx.db, userId, tx.now.toISOString(), id);
    await emit(tx, 'notification.read', { userId });
    return { ...n, read: true, readAt: tx.now.toISOString() };
  });
}

export async function readAll(ctx: Ctx): Promise<number> {
  const userId = userOf(ctx);
  return inTransaction(ctx, async (tx) => {
    const n = await markRead(tx.db, userId, tx.now.toISOString());
    if (n > 0) await emit(tx, 'notification.read', { userId });
    return n;
  });
}

/**
 * A deleted ticket (spam) takes its notifications along: they would link to a page that is gone
 * and keep the bell counting. Agents who lost an unread one hear their new count.
 */
export async function forgetTicketNotifications(ctx: Ctx, ticketId: string): Promise<number> {
  const users = await deleteNotificationsOfTicket(ctx.db, ticketId);
  for (const userId of users) await emit(ctx, 'notification.read', { userId });
  return users.length;
}
