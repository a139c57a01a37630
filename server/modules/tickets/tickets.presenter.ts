import type { TicketResponse } from '../../../contracts/tickets.js';
import type { Ctx } from '../../platform/context.js';
import { findUsersByIds } from '../auth/index.js';
import { getContactsByIds, type Contact } from '../contacts/index.js';
import type { TicketEvent } from './ticket-events.repository.js';
import { numbersByIds, starredAmong, type Ticket } from './tickets.repository.js';

/** What the caller already holds: requesters it has just read, and whether the tickets were just created (nobody has starred them). */
export interface PresentHints {
  requesters?: readonly Contact[];
  created?: boolean;
}

/** Presents many tickets with a fixed number of queries (people, stars, linked numbers), never one per ticket. */
export async function presentTickets(ctx: Ctx, tickets: Ticket[], hints: PresentHints = {}): Promise<TicketResponse[]> {
  if (tickets.length === 0) return [];
  const known = new Map((hints.requesters ?? []).map((c) => [c.id, c]));
  const missing = tickets.map((t) => t.requesterId).filter((id) => !known.has(id));
  const [read, users, stars, numbers] = await Promise.all([
    missing.length ? getContactsByIds(ctx, missing) : Promise.resolve([]),
    findUsersByIds(ctx.db, tickets.map((t) => t.assigneeId).filter((x): x is string => x !== null)),
    ctx.actor.type === 'user' && !hints.created ? starredAmong(ctx.db, ctx.actor.id, tickets.map((t) => t.id)) : Promise.resolve(new Set<string>()),
    numbersByIds(ctx.db, tickets.flatMap((t) => [t.mergedIntoId, t.splitFromId, t.followUpOfId]).filter((x): x is string => x !== null)),
  ]);
  const contactById = new Map([...known, ...read.map((c) => [c.id, c] as const)]);
  const userById = new Map(users.map((u) => [u.id, u]));
  return tickets.map((t) => {
    const c = contactById.get(t.requesterId);
    const a = t.assigneeId ? userById.get(t.assigneeId) : undefined;
    return {
      id: t.id,
      number: t.number,
      subject: t.subject,
      status: t.status,
      priority: t.priority,
      type: t.type as TicketResponse['type'],
      channel: t.channel as TicketResponse['channel'],
      requester: { id: t.requesterId, name: c?.name ?? 'Unknown', email: c?.emails[0] ?? null },
      organizationId: t.organizationId,
      assignee: t.assigneeId ? { id: t.assigneeId, name: a?.name ?? 'Unknown', email: a?.email ?? null } : null,
      groupId: t.groupId,
      tags: t.tags,
      customFields: t.customFields as TicketResponse['customFields'],
      starred: stars.has(t.id),
      spam: t.spam,
      mergedIntoNumber: t.mergedIntoId ? (numbers.get(t.mergedIntoId) ?? null) : null,
      splitFromNumber: t.splitFromId ? (numbers.get(t.splitFromId) ?? null) : null,
      followUpOfNumber: t.followUpOfId ? (numbers.get(t.followUpOfId) ?? null) : null,
      firstResponseAt: t.firstResponseAt,
      resolvedAt: t.resolvedAt,
      closedAt: t.closedAt,
      reopenCount: t.reopenCount,
      messageCount: t.messageCount,
      lastMessageAt: t.lastMessageAt,
      createdAt: t.createdAt,
      updatedAt: t.updatedAt,
      // Due times are the team's internal commitments, not promises to the customer.
      sla: ctx.actor.type === 'customer' ? null : t.sla,
    };
  });
}

export async function presentTicket(ctx: Ctx, ticket: Ticket, hints: PresentHints = {}): Promise<TicketResponse> {
  return (await presentTickets(ctx, [ticket], hints))[0]!;
}

export const presentEvent = (e: TicketEvent) => ({
  id: e.id,
  action: e.action,
  actor: { type: e.actorType, id: e.actorId },
  from: e.from,
  to: e.to,
  data: e.data,
  at: e.at,
});
