import { Liquid } from 'liquidjs';
import type { Ctx } from '../../platform/context.js';
import { refuseFileTags } from '../../platform/liquid-sandbox.js';
import { findInboundByTicketMessage, outboundTargetOf, queueOutboundMail } from '../channels/index.js';
import type { MessageWithAttachments } from '../messages/index.js';
import type { Ticket } from '../tickets/index.js';

// Admin-written templates run in the server: no file access (file tags refused on save), own
// properties only, bounded work (the same limits as the customer-notification templates).
const liquid = refuseFileTags(new Liquid({ templates: {}, strictFilters: true, ownPropertyOnly: true, parseLimit: 100_000, renderLimit: 1_000, memoryLimit: 20_000_000, timezoneOffset: 0 }));

/** Inbound kinds that are machines talking (RFC 3834): never answered automatically. */
const AUTOMATIC_KINDS = new Set(['out_of_office', 'auto_reply', 'bounce', 'delivery_report', 'bulk']);

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export type RuleMailOutcome = 'queued' | 'no_mailbox' | 'no_address' | 'automatic_sender' | 'duplicate';

/**
 * A rule's customer email, rendered from its Liquid template and queued through the outbound
 * mail (which marks it `Auto-Submitted: auto-replied` and rate-limits it per recipient). Never
 * sent when the customer's mail on the ticket came from a machine (RFC 3834 loop protection).
 */
export async function sendRuleMail(
  ctx: Ctx,
  t: { ticket: Ticket; messages: MessageWithAttachments[]; requesterName: string; subject: string; body: string; dedupeKey: string },
): Promise<RuleMailOutcome> {
  const customerMessages = t.messages.filter((m) => m.kind === 'customer');
  for (const m of new Set([customerMessages[0], customerMessages[customerMessages.length - 1]])) {
    if (!m) continue;
    const inbound = await findInboundByTicketMessage(ctx.db, m.id);
    if (inbound && (inbound.suppressAutoReply || AUTOMATIC_KINDS.has(inbound.kind ?? ''))) return 'automatic_sender';
  }
  const target = await outboundTargetOf(ctx, t.ticket);
  if (!target) return 'no_mailbox';
  if (!target.requester) return 'no_address';
  const vars = {
    ticket: { number: t.ticket.number, subject: t.ticket.subject, status: t.ticket.status, priority: t.ticket.priority },
    customer: { name: t.requesterName || target.requester.name, email: target.requester.address },
    mailbox: { name: target.mailbox.displayName, address: target.mailbox.address },
  };
  const subject = (await liquid.parseAndRender(t.subject, vars)).replace(/\s+/g, ' ').trim();
  const text = await liquid.parseAndRender(t.body, vars);
  const html = `<div>${escapeHtml(text).replace(/\r?\n/g, '<br>')}</div>`;
  const queued = await queueOutboundMail(ctx, {
    ticket: t.ticket,
    target,
    kind: 'automation',
    dedupeKey: t.dedupeKey,
    ticketMessageId: null,
    automatic: true,
    to: [target.requester],
    cc: [],
    subject,
    html,
    text,
    attachments: [],
  });
  return queued ? 'queued' : 'duplicate';
}

/** Checks a template parses, for the admin API (a broken template is a 400, not a failed job). */
export function templateError(source: string): string | null {
  try {
    liquid.parse(source);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
