import type { Ctx } from '../../platform/context.js';
import { outboundTargetOf, queueOutboundMail } from '../channels/index.js';
import type { Ticket } from '../tickets/index.js';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * Mails an agent about a ticket through the ordinary outbound path (stored, retried, in the
 * local outbox when no relay is set). It goes out from the ticket's mailbox but answers go to
 * the plain mailbox address, never the ticket's signed reply address, so replying to an alert
 * cannot post into the conversation. Returns false when there is no mailbox to send from.
 */
export async function mailAgent(ctx: Ctx, ticket: Ticket, to: { name: string; email: string }, mail: { dedupeKey: string; headline: string; body: string }): Promise<boolean> {
  const target = await outboundTargetOf(ctx, ticket);
  if (!target) return false;
  const text = `${mail.headline}\n\nTicket #${ticket.number}: ${ticket.subject}\n\n${mail.body}`.trim();
  const html = `<p><strong>${escapeHtml(mail.headline)}</strong></p><p>Ticket #${ticket.number}: ${escapeHtml(ticket.subject)}</p>${mail.body ? `<p>${escapeHtml(mail.body)}</p>` : ''}`;
  const queued = await queueOutboundMail(ctx, {
    ticket,
    target: { ...target, replyTo: target.from, cc: [], requester: null, inReplyTo: null, references: [] },
    kind: 'agent_notification',
    dedupeKey: `agent:${mail.dedupeKey}`,
    ticketMessageId: null,
    automatic: true,
    to: [{ name: to.name, address: to.email }],
    cc: [],
    subject: mail.headline,
    html,
    text,
    inReplyTo: null,
    attachments: [],
  });
  return queued !== null;
}
