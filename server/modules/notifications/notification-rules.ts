import type { EventPayload } from '../../../contracts/events.js';
import type { Ctx } from '../../platform/context.js';
import { emit } from '../../platform/events/emit.js';
import { uuidv7 } from '../../platform/ids.js';
import { findUsersByIds, listGroups } from '../auth/index.js';
import { getContactsByIds } from '../contacts/index.js';
import { getMessageSummaries } from '../messages/index.js';
import { findChangeActor, requireTicketById, type Ticket } from '../tickets/index.js';
import type { PreferenceKind } from '../../../contracts/notification-preferences.js';
import { mailAgent } from './agent-mail.js';
import { insertNotification, type Notification, type NotificationKind } from './notifications.repository.js';
import { preferencesOf } from './preferences.repository.js';

type Cause<N extends NotifyEvent> = { event: N; eventId: string; at: string; payload: EventPayload<N> };
export const NOTIFY_EVENTS = ['message.created', 'ticket.assigned', 'sla.warning', 'sla.breached', 'callback.due', 'automation.notify'] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];
export type NotifyCause = { [N in NotifyEvent]: Cause<N> }[NotifyEvent];

interface Draft {
  userId: string;
  kind: NotificationKind;
  /** Which of the agent's preferences decides whether (and how) they hear of it. */
  pref: PreferenceKind;
  messageId: string | null;
  actor: { type: string; id: string | null };
  excerpt: string;
  dedupeKey: string;
}

/** The first line (and mail subject) of an agent's notification email. */
const HEADLINE: Record<NotificationKind, (actor: string) => string> = {
  mention: (a) => `You were mentioned by ${a}`,
  assigned: (a) => `A ticket was assigned to you by ${a}`,
  customer_reply: (a) => `${a} replied`,
  sla_warning: () => 'SLA due soon',
  sla_breached: () => 'SLA breached',
  callback_due: () => 'Callback due',
  automation: () => 'Automation notice',
};

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
      .map((userId) => ({ userId, kind: 'mention' as const, pref: 'mention' as const, messageId: m.id, actor: { type: m.authorType, id: m.authorUserId }, excerpt: excerptOf(m.bodyText), dedupeKey: `mention:${m.id}` }));
  }
  // The message a ticket opens with is no reply: an assignee hears of the new ticket as assigned.
  if (m.kind === 'customer' && ticket.assigneeId && !p.opening) {
    return [{ userId: ticket.assigneeId, kind: 'customer_reply', pref: 'customer_reply', messageId: m.id, actor: { type: 'contact', id: m.authorContactId }, excerpt: excerptOf(m.bodyText), dedupeKey: `customer_reply:${m.id}` }];
  }
  return [];
}

/** The new assignee hears of it, unless they took the ticket themselves (or made it assigned to themselves). */
async function draftsForAssignment(ctx: Ctx, ticket: Ticket, cause: Extract<NotifyCause, { event: 'ticket.assigned' }>): Promise<Draft[]> {
  const to = cause.payload.to;
  if (!to) return [];
  const said = cause.payload.by;
  const by = said ? { actorType: said.type, actorId: said.id } : ((await findChangeActor(ctx.db, ticket.id, 'assigned', cause.at)) ?? (await findChangeActor(ctx.db, ticket.id, 'created', cause.at)));
  if (by?.actorType === 'user' && by.actorId === to) return [];
  return [{ userId: to, kind: 'assigned', pref: 'assigned', messageId: null, actor: { type: by?.actorType ?? 'system', id: by?.actorId ?? null }, excerpt: '', dedupeKey: `assigned:${cause.eventId}` }];
}

const TARGET_LABEL: Record<string, string> = { first_response: 'First response', next_response: 'Next response', resolution: 'Resolution' };
const SYSTEM = { type: 'system', id: null };

/** The assignee (their tickets) and the other members of the ticket's group (their groups' tickets). */
async function draftsForSla(ctx: Ctx, ticket: Ticket, cause: Cause<'sla.warning'> | Cause<'sla.breached'>): Promise<Draft[]> {
  const p = cause.payload;
  const kind = cause.event === 'sla.warning' ? 'sla_warning' : 'sla_breached';
  const excerpt = `${TARGET_LABEL[p.target] ?? p.target} ${kind === 'sla_warning' ? 'due soon' : 'overdue'}: due ${p.dueAt.slice(0, 16).replace('T', ' ')} UTC`;
  const base = { kind, messageId: null, actor: SYSTEM, excerpt, dedupeKey: `${kind}:${p.target}:${p.dueAt}` } as const;
  const drafts: Draft[] = [];
  if (ticket.assigneeId) drafts.push({ ...base, userId: ticket.assigneeId, pref: 'sla_mine' });
  const members = ticket.groupId ? ((await listGroups(ctx.db, [ticket.groupId]))[0]?.memberIds ?? []) : [];
  for (const m of members) if (m !== ticket.assigneeId) drafts.push({ ...base, userId: m, pref: 'sla_group' });
  return drafts;
}

function draftsForCallback(cause: Cause<'callback.due'>): Draft[] {
  const p = cause.payload;
  return [{ userId: p.userId, kind: 'callback_due', pref: 'callback_due', messageId: null, actor: SYSTEM, excerpt: `Callback due ${p.dueAt.slice(0, 16).replace('T', ' ')} UTC`, dedupeKey: `callback_due:${p.callbackId}:${p.dueAt}` }];
}

/** The users a rule names and the members of the groups it names, each once. */
async function draftsForAutomation(ctx: Ctx, cause: Cause<'automation.notify'>): Promise<Draft[]> {
  const p = cause.payload;
  const members = p.groupIds.length ? (await listGroups(ctx.db, p.groupIds)).flatMap((g) => g.memberIds) : [];
  return [...new Set([...p.userIds, ...members])].map((userId) => ({
    userId,
    kind: 'automation' as const,
    pref: 'automation' as const,
    messageId: null,
    actor: { type: 'rule', id: p.ruleId },
    excerpt: excerptOf(p.text),
    dedupeKey: `automation:${cause.eventId}`,
  }));
}

async function draftsFor(ctx: Ctx, ticket: Ticket, cause: NotifyCause): Promise<Draft[]> {
  switch (cause.event) {
    case 'message.created':
      return draftsForMessage(ctx, ticket, cause.payload);
    case 'ticket.assigned':
      return draftsForAssignment(ctx, ticket, cause);
    case 'sla.warning':
    case 'sla.breached':
      return draftsForSla(ctx, ticket, cause);
    case 'callback.due':
      return draftsForCallback(cause);
    case 'automation.notify':
      return draftsForAutomation(ctx, cause);
  }
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
  const drafted = await draftsFor(ctx, ticket, cause);
  const drafts = drafted.length ? await mayOpen(ctx, ticket, drafted) : [];
  if (drafts.length === 0) return 0;
  const [names, prefs, users] = await Promise.all([actorNames(ctx, drafts), preferencesOf(ctx.db, drafts.map((d) => d.userId)), findUsersByIds(ctx.db, drafts.map((d) => d.userId))]);
  const userById = new Map(users.map((u) => [u.id, u]));
  let created = 0;
  for (const d of drafts) {
    const choice = prefs.get(d.userId)![d.pref];
    const actorName = (d.actor.id && names.get(d.actor.id)) || (d.actor.type === 'system' ? 'Tessera' : d.actor.type === 'rule' ? 'Automation' : 'Someone');
    const user = userById.get(d.userId);
    if (choice.email && user) {
      await mailAgent(ctx, ticket, { name: user.name, email: user.email }, { dedupeKey: `${d.userId}:${d.dedupeKey}`, headline: HEADLINE[d.kind](actorName), body: d.excerpt });
    }
    if (!choice.inApp) continue;
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
      actorName,
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
