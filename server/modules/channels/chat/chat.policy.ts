import type { Actor, Ctx } from '../../../platform/context.js';
import { notFound } from '../../../platform/errors.js';
import { groupIdsByUser, type User } from '../../auth/index.js';
import { canSeeTicket, findTicketsByIds } from '../../tickets/index.js';
import { findMailboxById } from '../mailboxes.repository.js';
import type { ChatSession } from './chat.repository.js';

type StaffReader = Extract<Actor, { type: 'user' }>;

/**
 * Which chats an agent restricted to their groups may read, answer or hear of: the chats they
 * took, a converted chat when they may open its ticket, and otherwise the chats of mailboxes
 * whose default group is one of theirs (the group the chat's ticket will get). Like tickets,
 * anything else is "not found".
 */
async function visibility(ctx: Ctx, sessions: readonly ChatSession[]): Promise<(reader: StaffReader, s: ChatSession) => boolean> {
  const ticketIds = [...new Set(sessions.flatMap((s) => (s.ticketId ? [s.ticketId] : [])))];
  const mailboxIds = [...new Set(sessions.flatMap((s) => (s.mailboxId && !s.ticketId ? [s.mailboxId] : [])))];
  const [tickets, mailboxes] = await Promise.all([findTicketsByIds(ctx.db, ticketIds), Promise.all(mailboxIds.map((id) => findMailboxById(ctx.db, id)))]);
  const ticketById = new Map(tickets.map((t) => [t.id, t]));
  const groupOfMailbox = new Map(mailboxes.flatMap((m) => (m ? [[m.id, m.defaultGroupId] as const] : [])));
  return (reader, s) => {
    if (!reader.restricted || reader.role === 'admin' || s.assigneeId === reader.id) return true;
    if (s.ticketId) {
      const t = ticketById.get(s.ticketId);
      return t !== undefined && canSeeTicket(reader, t);
    }
    const group = s.mailboxId ? groupOfMailbox.get(s.mailboxId) : undefined;
    return group !== undefined && group !== null && reader.groupIds.includes(group);
  };
}

const unrestricted = (actor: Actor): boolean => actor.type !== 'user' || !actor.restricted || actor.role === 'admin';

export async function chatsVisibleTo(ctx: Ctx, sessions: ChatSession[]): Promise<ChatSession[]> {
  const actor = ctx.actor;
  if (unrestricted(actor) || actor.type !== 'user' || sessions.length === 0) return sessions;
  const sees = await visibility(ctx, sessions);
  return sessions.filter((s) => sees(actor, s));
}

export async function assertSeesChat(ctx: Ctx, session: ChatSession): Promise<ChatSession> {
  if ((await chatsVisibleTo(ctx, [session])).length === 0) throw notFound('Chat');
  return session;
}

/** Of these staff users, the ones who may hear of a chat (its console pushes). */
export async function chatAudience(ctx: Ctx, session: ChatSession, users: readonly User[]): Promise<string[]> {
  const restricted = users.filter((u) => u.restrictedToGroups && u.role !== 'admin');
  if (restricted.length === 0) return users.map((u) => u.id);
  const [sees, groups] = await Promise.all([visibility(ctx, [session]), groupIdsByUser(ctx.db, restricted.map((u) => u.id))]);
  return users
    .filter((u) => {
      if (!u.restrictedToGroups || u.role === 'admin') return true;
      const reader: StaffReader = { type: 'user', id: u.id, role: u.role === 'customer' ? 'agent' : u.role, name: u.name, email: u.email, groupIds: groups.get(u.id) ?? [], restricted: true };
      return u.role !== 'customer' && sees(reader, session);
    })
    .map((u) => u.id);
}
