import type { EventPayload } from '../../../contracts/events.js';
import type { Ctx } from '../../platform/context.js';
import { emit } from '../../platform/events/emit.js';
import { uuidv7 } from '../../platform/ids.js';
import { findUsersByIds, listGroups } from '../auth/index.js';
import { getContactsByIds } from '../contacts/index.js';
import { getMessageSummaries } from '../messages/index.js';
import { findChangeActor, requireTicketById, type Ticket } from '../tickets/index.js';
import { insertNotification, type Notification, type NotificationKind } from './notifications.repository.js';

export type NotifyCause =
  | { event: 'message.created'; eventId: string; at: string; payload: EventPayload<'message.created'> }
  | { event: 'ticket.assigned'; eventId: string; at: string; payload: EventPayload<'ticket.assigned'> };

interface Draft {
  userId: string;
  kind: NotificationKind;
  messageId: string | null;
  actor: { type: string; id: string | null };
  excerpt: string;
  dedupeKey: string;
}

const excerptOf = (text: string): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 159)}…` : flat;
};

/**
 * Who hears of a message: agents @mentioned in a note (not the note's author), and the
 * assignee when the customer writes.
 */
async function draftsForMessage(ctx: Ctx, ticket: Ticket, p: EventPayload<'message.created'>): Promise<Draft[]> {
  const [m] = await getMessageSummaries(ctx, [p.messageId]);
  if (!m) return [];
  if (m.kind === 'note') {
    return [...new Set(p.mentions)]
      .filter((id) => id !== m.authorUserId)
      .map((userId) => ({ userId, kind: 'mention' as const, messageId: m.id, actor: { type: m.authorType, id: m.authorUserId }, excerpt: excerptOf(m.bodyText), dedupeKey: `mention:${m.id}` }));
  }
  if (m.kind === 'customer' && ticket.assigneeId) {
    return [{ userId: ticket.assigneeId, kind: 'customer_reply', messageId: m.id, actor: { type: 'contact', id: m.authorContactId }, excerpt: excerptOf(m.bodyText), dedupeKey: `customer_reply:${m.id}` }];
  }
  return [];
}

/** The new assignee hears of it, unless they took the ticket themselves. */
async function draftsForAssignment(ctx: Ctx, ticket: Ticket, cause: Extract<NotifyCause, { event: 'ticket.assigned' }>): Promise<Draft[]> {
  const to = cause.payload.to;
  if (!to) return [];
  const by = await findChangeActor(ctx.db, ticket.id, 'assigned', cause.at);
  if (by?.actorType === 'user' && by.actorId === to) return [];
  return [{ userId: to, kind: 'assigned', messageId: null, actor: { type: by?.actorType ?? 'system', id: by?.actorId ?? null }, excerpt: '', dedupeKey: `assigned:${cause.eventId}` }];
}

/**
 * An agent restricted to their groups hears only of tickets they could open; the bell must not
 * show them the subject of one they cannot (a mention reaches whoever is named).
 */
async function mayOpen(ctx: Ctx, ticket: Ticket, drafts: Draft[]): Promise<Draft[]> {
  const users = new Map((await findUsersByIds(ctx.db, drafts.map((d) => d.userId))).map((u) => [u.id, u]));
  const members = ticket.groupId ? ((await listGroups(ctx.db, [ticket.groupId]))[0]?.memberIds ?? []) : [];
  return drafts.filter((d) => {
    const u = users.get(d.userId);
    if (!u || !u.active || u.role === 'customer') return false;
    return !u.restrictedToGroups || u.role === 'admin' || ticket.assigneeId === u.id || members.includes(u.id);
  });
}

async function actorNames(ctx: Ctx, drafts: Draft[]): Promise<Map<string, string>> {
  const ids = (type: string) => drafts.filter((d) => d.actor.type === type && d.actor.id).map((d) => d.actor.id!);
  const [users, contacts] = await Promise.all([findUsersByIds(ctx.db, ids('user')), getContactsByIds(ctx, ids('contact'))]);
  return new Map<string, string>([...users.map((u) => [u.id, u.name] as const), ...contacts.map((c) => [c.id, c.name] as const)]);
}

/**
 * Turns one domain event into bell notifications (run as a job, so it retries). Safe to run
 * twice: each recipient gets at most one notification per cause. Each new one is announced
 * with a notification.created event, which realtime pushes to the agent.
 */
export async function notifyFor(ctx: Ctx, cause: NotifyCause): Promise<number> {
  const ticket = await requireTicketById(ctx, cause.payload.ticketId).catch(() => undefined);
  if (!ticket) return 0;
  const drafted = cause.event === 'message.created' ? await draftsForMessage(ctx, ticket, cause.payload) : await draftsForAssignment(ctx, ticket, cause);
  const drafts = drafted.length ? await mayOpen(ctx, ticket, drafted) : [];
  if (drafts.length === 0) return 0;
  const names = await actorNames(ctx, drafts);
  let created = 0;
  for (const d of drafts) {
    const n: Notification = {
      id: uuidv7(ctx.now.getTime()),
      userId: d.userId,
      kind: d.kind,
      ticketId: ticket.id,
      ticketNumber: ticket.number,
      ticketSubject: ticket.subject,
      messageId: d.messageId,
      actorType: d.actor.type,
      actorId: d.actor.id,
      actorName: (d.actor.id && names.get(d.actor.id)) || (d.actor.type === 'system' ? 'Tessera' : 'Someone'),
      excerpt: d.excerpt,
      dedupeKey: d.dedupeKey,
      read: false,
      readAt: null,
      createdAt: cause.at,
    };
    if (!(await insertNotification(ctx.db, n))) continue;
    created += 1;
    await emit(ctx, 'notification.created', { notificationId: n.id, userId: n.userId });
  }
  return created;
}
