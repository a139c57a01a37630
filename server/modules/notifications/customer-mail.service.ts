import type { BlobStore } from '../../platform/blobs/blob-store.js';
import { systemActor, type Ctx } from '../../platform/context.js';
import type { MailAttachment } from '../../platform/mail/mail-composer.js';
import { findUsersByIds, getSettings } from '../auth/index.js';
import { findInboundByTicketMessage, outboundMailboxOf, outboundTargetOf, queueOutboundMail, type OutboundKind, type OutboundTarget } from '../channels/index.js';
import { getContactsByIds } from '../contacts/index.js';
import { listMessages, type MessageWithAttachments } from '../messages/index.js';
import { findChangeActor, requireTicketById, type Ticket } from '../tickets/index.js';
import { notificationEnabled, renderOccasion, targetMailbox, templateVars, type VarsInput } from './customer-mail-vars.js';

export type CustomerMailCause =
  | { cause: 'reply'; ticketId: string; messageId: string }
  | { cause: 'ticket_created'; ticketId: string }
  | { cause: 'status_changed'; ticketId: string; to: string; eventId: string; at: string };

export interface CustomerMailRuntime {
  blobs: BlobStore;
  /** Files of one reply together; past it they are named in the mail instead of attached. */
  maxAttachmentBytes: number;
  log(message: string): void;
}

/**
 * Mail is about now. A cause older than this when its job runs is history (tickets imported with
 * their original timestamps, a worker that was down for days): customers are not mailed about it.
 */
const STALE_REPLY_MS = 3 * 86400_000;
const STALE_NOTICE_MS = 86400_000;
const stale = (ctx: Ctx, at: string, maxMs: number): boolean => ctx.now.getTime() - Date.parse(at) > maxMs;

/** Channels whose new tickets get an acknowledgement: the customer wrote in and is waiting. */
const ACKNOWLEDGED_CHANNELS = new Set(['email', 'web_form']);
/** Chats nobody answered (left offline, or ended unanswered): the visitor is waiting for mail. Chats an agent converted were answered live. */
const UNANSWERED_CHAT_TAGS = ['chat-offline', 'chat-unanswered'];
const acknowledged = (t: Ticket): boolean => ACKNOWLEDGED_CHANNELS.has(t.channel) || (t.channel === 'chat' && t.tags.some((tag) => UNANSWERED_CHAT_TAGS.includes(tag)));
/** Inbound kinds that are machines talking (RFC 3834): never answered automatically. */
const AUTOMATIC_KINDS = new Set(['out_of_office', 'auto_reply', 'bounce', 'delivery_report', 'bulk']);

/**
 * Customer mail for one cause (run as a job after the change committed): the reply email of an
 * agent's public reply, an acknowledgement of a new ticket, a notice of a status change. Each
 * can be switched off; automatic ones never go to automatic senders and are rate-limited by the
 * outbound side. Idempotent: one mail per cause.
 */
export async function sendCustomerMail(ctx: Ctx, rt: CustomerMailRuntime, c: CustomerMailCause): Promise<void> {
  const sys: Ctx = { ...ctx, actor: systemActor('customer-mail') };
  const ticket = await requireTicketById(sys, c.ticketId).catch(() => null);
  if (!ticket) return;
  if (c.cause === 'reply') return sendReply(sys, rt, ticket, c.messageId);
  if (ticket.spam || ticket.mergedIntoId) return;
  if (c.cause === 'ticket_created') return sendAcknowledgement(sys, rt, ticket);
  return sendStatusNotice(sys, rt, ticket, c);
}

interface Prepared {
  target: OutboundTarget;
  requester: { name: string; address: string };
  messages: MessageWithAttachments[];
}

async function prepare(ctx: Ctx, rt: CustomerMailRuntime, ticket: Ticket, key: Parameters<typeof notificationEnabled>[1]): Promise<Prepared | null> {
  const mailbox = await outboundMailboxOf(ctx, ticket);
  if (!mailbox || !(await notificationEnabled(ctx.db, key, mailbox.id))) return null;
  const target = await outboundTargetOf(ctx, ticket);
  if (!target) return null;
  if (!target.requester) {
    rt.log(`#${ticket.number}: no ${key} mail, the requester has no usable email address`);
    return null;
  }
  return { target, requester: target.requester, messages: await listMessages(ctx, ticket.number) };
}

async function baseVars(ctx: Ctx, ticket: Ticket, p: Prepared, agentName: string): Promise<VarsInput> {
  return {
    ticket,
    mailbox: targetMailbox(p.target),
    customer: { name: p.requester.name, email: p.requester.address },
    agentName,
    helpdeskName: (await getSettings(ctx)).helpdeskName,
  };
}

/** Whether the customer's mail on this ticket came from a machine (auto-reply, list, bounce …). */
async function automaticSender(ctx: Ctx, messages: MessageWithAttachments[]): Promise<boolean> {
  const customer = messages.filter((m) => m.kind === 'customer');
  for (const m of new Set([customer[0], customer[customer.length - 1]])) {
    if (!m) continue;
    const inbound = await findInboundByTicketMessage(ctx.db, m.id);
    if (inbound && (inbound.suppressAutoReply || AUTOMATIC_KINDS.has(inbound.kind ?? ''))) return true;
  }
  return false;
}

async function queue(ctx: Ctx, ticket: Ticket, p: Prepared, o: { kind: OutboundKind; dedupeKey: string; vars: VarsInput; automatic: boolean; ticketMessageId?: string; inReplyTo?: string | null; cc?: boolean; attachments?: MailAttachment[] }, rt: CustomerMailRuntime): Promise<void> {
  const key = o.kind;
  const rendered = await renderOccasion(ctx.db, key, templateVars(o.vars));
  if (rendered.templateError) rt.log(`#${ticket.number}: the ${key} template failed (${rendered.templateError}); the built-in one was used`);
  await queueOutboundMail(ctx, {
    ticket,
    target: p.target,
    kind: o.kind,
    dedupeKey: o.dedupeKey,
    ticketMessageId: o.ticketMessageId ?? null,
    automatic: o.automatic,
    to: [p.requester],
    cc: o.cc ? p.target.cc : [],
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    ...(o.inReplyTo !== undefined ? { inReplyTo: o.inReplyTo } : {}),
    attachments: o.attachments ?? [],
  });
}

async function readAttachments(rt: CustomerMailRuntime, m: MessageWithAttachments): Promise<{ files: MailAttachment[]; left: string[] }> {
  const files: MailAttachment[] = [];
  const left: string[] = [];
  let total = 0;
  for (const a of m.attachments) {
    if (total + a.size > rt.maxAttachmentBytes) {
      left.push(a.filename);
      continue;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of rt.blobs.open(a.sha256)) chunks.push(chunk as Buffer);
    files.push({ filename: a.filename, contentType: a.contentType, content: Buffer.concat(chunks) });
    total += a.size;
  }
  return { files, left };
}

async function sendReply(ctx: Ctx, rt: CustomerMailRuntime, ticket: Ticket, messageId: string): Promise<void> {
  const p = await prepare(ctx, rt, ticket, 'reply');
  if (!p) return;
  const index = p.messages.findIndex((m) => m.id === messageId);
  const message = p.messages[index];
  if (!message || message.kind !== 'reply' || stale(ctx, message.createdAt, STALE_REPLY_MS)) return;
  const [author] = message.authorUserId ? await findUsersByIds(ctx.db, [message.authorUserId]) : [];
  const prev = p.messages.slice(0, index).reverse().find((m) => m.kind === 'customer');
  const [prevAuthor] = prev?.authorContactId ? await getContactsByIds(ctx, [prev.authorContactId]) : [];
  const { files, left } = await readAttachments(rt, message);
  const note = left.length ? `\n\n(Not attached, too large for email: ${left.join(', ')})` : '';
  const vars: VarsInput = {
    ...(await baseVars(ctx, ticket, p, author?.name ?? '')),
    message: { html: message.bodyHtml + (note ? `<p><em>${note.trim().replace(/[<>&]/g, '')}</em></p>` : ''), text: message.bodyText + note },
    previous: prev ? { author: prevAuthor?.name || prevAuthor?.emails[0] || 'you', date: prev.createdAt, html: prev.bodyHtml, text: prev.bodyText } : null,
  };
  // A reply an agent wrote is a person talking; one the system wrote (an automation) is automatic.
  await queue(ctx, ticket, p, { kind: 'reply', dedupeKey: `reply:${message.id}`, vars, automatic: message.authorType === 'system', ticketMessageId: message.id, cc: true, attachments: files }, rt);
}

async function sendAcknowledgement(ctx: Ctx, rt: CustomerMailRuntime, ticket: Ticket): Promise<void> {
  if (!acknowledged(ticket) || stale(ctx, ticket.createdAt, STALE_NOTICE_MS)) return;
  const p = await prepare(ctx, rt, ticket, 'acknowledgement');
  if (!p) return;
  const opening = p.messages.find((m) => m.kind === 'customer');
  const inbound = opening ? await findInboundByTicketMessage(ctx.db, opening.id) : undefined;
  if (inbound && (inbound.suppressAutoReply || AUTOMATIC_KINDS.has(inbound.kind ?? ''))) {
    rt.log(`#${ticket.number}: no acknowledgement, the mail that opened it is automatic (${inbound.loopSignals.join(', ') || inbound.kind})`);
    return;
  }
  const vars = await baseVars(ctx, ticket, p, '');
  await queue(ctx, ticket, p, { kind: 'acknowledgement', dedupeKey: `acknowledgement:${ticket.id}`, vars, automatic: true, inReplyTo: inbound?.messageId ?? null }, rt);
}

async function sendStatusNotice(ctx: Ctx, rt: CustomerMailRuntime, ticket: Ticket, c: Extract<CustomerMailCause, { cause: 'status_changed' }>): Promise<void> {
  const kind = ({ waiting: 'status_waiting', resolved: 'status_resolved', closed: 'status_closed' } as const)[c.to as 'waiting' | 'resolved' | 'closed'];
  // Only the announced statuses, and only while still true (a quick second change makes the first moot).
  if (!kind || ticket.status !== c.to || stale(ctx, c.at, STALE_NOTICE_MS)) return;
  const actor = await findChangeActor(ctx.db, ticket.id, 'status_changed', c.at);
  if (actor?.actorType === 'customer') return;
  const p = await prepare(ctx, rt, ticket, kind);
  if (!p) return;
  // A reply sent in the same step already tells the customer (its template mentions the status).
  if (p.messages.some((m) => m.kind === 'reply' && m.createdAt === new Date(c.at).toISOString())) return;
  if (await automaticSender(ctx, p.messages)) return;
  const assignee = ticket.assigneeId ? (await findUsersByIds(ctx.db, [ticket.assigneeId]))[0] : undefined;
  const vars = await baseVars(ctx, ticket, p, assignee?.name ?? '');
  await queue(ctx, ticket, p, { kind, dedupeKey: `status:${c.eventId}`, vars, automatic: true }, rt);
}
