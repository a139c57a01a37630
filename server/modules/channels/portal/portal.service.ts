import type { Ctx } from '../../../platform/context.js';
import { systemActor } from '../../../platform/context.js';
import { inTransaction } from '../../../platform/db/transaction.js';
import { AppError, forbidden } from '../../../platform/errors.js';
import { createTicketRequest } from '../../../../contracts/tickets.js';
import { getUsersByIds } from '../../auth/index.js';
import { getContactsByIds } from '../../contacts/index.js';
import { createTicketWithMessage, listMessages, postMessage, type MessageWithAttachments } from '../../messages/index.js';
import { applyChanges, getTicket, listTickets, type Ticket } from '../../tickets/index.js';

type CustomerCtx = Ctx & { actor: Extract<Ctx['actor'], { type: 'customer' }> };

function asCustomer(ctx: Ctx): CustomerCtx {
  if (ctx.actor.type !== 'customer' || !ctx.actor.contactId) throw forbidden('The portal is for customers');
  return ctx as CustomerCtx;
}

export interface PortalTicket {
  ticket: Ticket;
  mine: boolean;
}

/**
 * The customer's own tickets, or their organization's when the admin allows it. Runs the one
 * filter language with ids the session fixed, never with text the customer typed.
 */
export async function listPortalTickets(ctx: Ctx, scope: 'mine' | 'organization'): Promise<PortalTicket[]> {
  const c = asCustomer(ctx);
  let q: string;
  if (scope === 'organization') {
    if (!c.actor.seeOrganization || !c.actor.organizationId) throw forbidden("Your organization's tickets are not shared in the portal");
    q = `org:${c.actor.organizationId}`;
  } else {
    const [contact] = await getContactsByIds(ctx, [c.actor.contactId!]);
    const address = contact?.emails[0];
    if (!address || /["\s]/.test(address)) return [];
    q = `requester:"${address}"`;
  }
  const system: Ctx = { ...ctx, actor: systemActor('portal') };
  const { tickets } = await listTickets(system, { q, sort: 'updated_desc', limit: 100 });
  return tickets.filter((t) => t.mergedIntoId === null).map((ticket) => ({ ticket, mine: ticket.requesterId === c.actor.contactId }));
}

export interface PortalMessageView {
  message: MessageWithAttachments;
  from: 'you' | 'customer' | 'agent' | 'system';
  authorName: string;
}

/** One ticket the customer may see (else 404) with its public conversation; notes never leave the server. */
export async function getPortalTicket(ctx: Ctx, number: number): Promise<{ ticket: PortalTicket; messages: PortalMessageView[] }> {
  const c = asCustomer(ctx);
  const ticket = await getTicket(ctx, number);
  const messages = (await listMessages(ctx, number)).filter((m) => m.kind !== 'note');
  const users = await getUsersByIds(ctx, [...new Set(messages.map((m) => m.authorUserId).filter((id): id is string => id !== null))]);
  const contacts = await getContactsByIds(ctx, [...new Set(messages.map((m) => m.authorContactId).filter((id): id is string => id !== null))]);
  const views = messages.map((m): PortalMessageView => {
    if (m.kind === 'customer') {
      const contact = contacts.find((x) => x.id === m.authorContactId);
      const you = m.authorContactId === c.actor.contactId;
      return { message: m, from: you ? 'you' : 'customer', authorName: you ? 'You' : contact?.name || 'Customer' };
    }
    const user = users.find((u) => u.id === m.authorUserId);
    return { message: m, from: user ? 'agent' : 'system', authorName: user?.name ?? 'Support' };
  });
  return { ticket: { ticket, mine: ticket.requesterId === c.actor.contactId }, messages: views };
}

export async function replyFromPortal(ctx: Ctx, number: number, input: { body: string; attachmentIds: string[] }): Promise<void> {
  asCustomer(ctx);
  const ticket = await getTicket(ctx, number);
  if (ticket.status === 'closed') throw new AppError('conflict', `Ticket #${number} is closed; open a new request instead`);
  await postMessage(ctx, number, { kind: 'customer', body: input.body, format: 'text', attachmentIds: input.attachmentIds });
}

export async function closeFromPortal(ctx: Ctx, number: number): Promise<Ticket> {
  asCustomer(ctx);
  return inTransaction(ctx, async (tx) => {
    const ticket = await getTicket(tx, number, { lock: true });
    if (ticket.status === 'closed') return ticket;
    return applyChanges(tx, ticket, { status: 'closed' }, { reason: 'closed_by_customer' });
  });
}

export async function openFromPortal(ctx: Ctx, input: { subject: string; body: string; attachmentIds: string[] }): Promise<Ticket> {
  asCustomer(ctx);
  const request = createTicketRequest.parse({ subject: input.subject, message: { body: input.body, format: 'text', attachmentIds: input.attachmentIds } });
  const { ticket } = await createTicketWithMessage(ctx, request);
  return ticket;
}
