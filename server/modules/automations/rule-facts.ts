import type { Ctx } from '../../platform/context.js';
import { findMailThread } from '../channels/index.js';
import { getContactsByIds, getOrganizationsByIds } from '../contacts/index.js';
import { listMessages, type MessageWithAttachments } from '../messages/index.js';
import { parseFilter, resolveTicketFilter, type ResolvedFilter, type Ticket, type TicketFacts } from '../tickets/index.js';
import type { RuleFacts } from './rule-conditions.js';
import { withinBusinessHours } from './sla-port.js';

export interface LoadedTicket {
  ticket: Ticket;
  messages: MessageWithAttachments[];
  requesterName: string;
  facts: RuleFacts;
}

export function ticketFacts(t: Ticket, messages: MessageWithAttachments[], requesterText: string): TicketFacts {
  return {
    id: t.id,
    number: t.number,
    subject: t.subject,
    status: t.status,
    priority: t.priority,
    type: t.type,
    channel: t.channel,
    requesterId: t.requesterId,
    organizationId: t.organizationId,
    assigneeId: t.assigneeId,
    groupId: t.groupId,
    spam: t.spam,
    mergedIntoId: t.mergedIntoId,
    hasAttachments: messages.some((m) => m.attachments.length > 0),
    tags: t.tags,
    // Rules run as no one: `is:starred` (starred by me) never holds for them.
    starredBy: [],
    customFields: t.customFields,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
    firstResponseAt: t.firstResponseAt,
    resolvedAt: t.resolvedAt,
    closedAt: t.closedAt,
    reopenCount: t.reopenCount,
    messageCount: t.messageCount,
    slaDueAt: t.sla?.dueAt ?? null,
    slaBreached: t.sla?.breached ?? false,
    slaPaused: t.sla?.paused ?? false,
    text: [`#${t.number} ${t.subject}`, requesterText, ...messages.map((m) => m.bodyText)].join('\n'),
  };
}

/** Everything the conditions read about one ticket, in a few batched reads. */
export async function loadTicketFacts(ctx: Ctx, ticket: Ticket): Promise<LoadedTicket> {
  const [messages, [contact], thread] = await Promise.all([listMessages(ctx, ticket.number), getContactsByIds(ctx, [ticket.requesterId]), findMailThread(ctx.db, ticket.id)]);
  const orgId = contact?.organizationId ?? ticket.organizationId;
  const [org] = orgId ? await getOrganizationsByIds(ctx, [orgId]) : [];
  const lastCustomer = [...messages].reverse().find((m) => m.kind === 'customer');
  const calendars = new Map<string, boolean | null>();
  const requesterText = contact ? `${contact.name} ${contact.emails.join(' ')}` : '';
  return {
    ticket,
    messages,
    requesterName: contact?.name ?? '',
    facts: {
      ticket: ticketFacts(ticket, messages, requesterText),
      mailboxId: thread?.mailboxId ?? null,
      requesterEmails: contact?.emails ?? [],
      vip: Boolean(contact?.vip || org?.vip),
      keywordText: `${ticket.subject}\n${lastCustomer?.bodyText ?? ''}`,
      withinHours: (id) => calendars.get(id) ?? null,
    },
  };
}

/** Business hours are read from the sla module before evaluation (the conditions stay pure and synchronous). */
export async function prepareCalendars(ctx: Ctx, loaded: LoadedTicket, calendarIds: readonly string[]): Promise<void> {
  const known = new Map<string, boolean | null>();
  for (const id of new Set(calendarIds)) known.set(id, await withinBusinessHours(ctx, id, ctx.now));
  loaded.facts.withinHours = (id) => known.get(id) ?? null;
}

/** Parses and resolves a rule's filter (names to ids); the empty filter matches every ticket. */
export async function resolveRuleFilter(ctx: Ctx, filter: string): Promise<ResolvedFilter | null> {
  if (!filter.trim()) return null;
  return resolveTicketFilter(ctx, parseFilter(filter));
}
