import type { Ctx } from '../../platform/context.js';
import { onceInTransaction } from '../../platform/db/transaction-memo.js';
import { notFound } from '../../platform/errors.js';
import { uuidv7 } from '../../platform/ids.js';
import { enqueue } from '../../platform/jobs/define-job.js';
import { composeMail, headerText, isSafeAddress, type MailAddress, type MailAttachment } from '../../platform/mail/mail-composer.js';
import { loadOutboundMailConfig, type OutboundMailConfig } from '../../platform/mail/outbound-config.js';
import { requireAdmin, requireStaff } from '../auth/index.js';
import { getContactsByIds } from '../contacts/index.js';
import { getTicket, type Ticket } from '../tickets/index.js';
import { listMailboxRows, type Mailbox } from './mailboxes.repository.js';
import { replySecret } from './inbound-process.service.js';
import { countAutomaticSince, findOutbound, insertOutbound, listLocalOutboxPage, readOutboundRaw, listOutboundOfTicket, type MailKind, type OutboundMail } from './outbound.repository.js';
import { sendMailShape } from './outbound-send.job.js';
import { activeStaffByAddress } from './staff-senders.js';
import { replyAddress, splitPlusAddress } from './reply-token.js';
import { withoutTicketTokens } from './thread-matcher.js';
import { findMailThread, findMailThreads, messageIdsOfTicket, participantsOf, recordMessageIds } from './threads.repository.js';

let config: OutboundMailConfig | null = null;
const outboundConfig = (): OutboundMailConfig => (config ??= loadOutboundMailConfig());

/** Who a ticket's mail goes to and comes from, and the thread it continues. */
export interface OutboundTarget {
  mailbox: Mailbox;
  from: MailAddress;
  /** The signed reply address: answers land on this ticket whatever the client does with the subject. */
  replyTo: MailAddress;
  requester: MailAddress | null;
  /** Other people in the conversation (in copy or who wrote in), never our own mailboxes. */
  cc: MailAddress[];
  /** The newest message we know of in the thread (the customer's latest mail, else our latest). */
  inReplyTo: string | null;
  references: string[];
}

/** The mailbox a ticket's mail goes out through: its conversation's, else its group's, else the first active one. */
function mailboxFor(ticket: Ticket, all: Mailbox[], threadMailboxId: string | null | undefined): Mailbox | null {
  const active = all.filter((m) => m.active);
  const own = threadMailboxId ? active.find((m) => m.id === threadMailboxId) : undefined;
  return own ?? active.find((m) => ticket.groupId !== null && m.defaultGroupId === ticket.groupId) ?? active[0] ?? null;
}

/** Just the mailbox (cheap): callers check their switches before building the whole target. */
export async function outboundMailboxOf(ctx: Ctx, ticket: Ticket): Promise<Mailbox | null> {
  return (await outboundMailboxesOf(ctx, [ticket])).get(ticket.id) ?? null;
}

/** `outboundMailboxOf` for many tickets, their threads read together. */
export async function outboundMailboxesOf(ctx: Ctx, tickets: readonly Ticket[]): Promise<Map<string, Mailbox | null>> {
  const active = await onceInTransaction(ctx.db, 'mailboxes:active', () => listMailboxRows(ctx.db, { activeOnly: true }));
  const threads = await findMailThreads(ctx.db, tickets.map((t) => t.id));
  return new Map(tickets.map((t) => [t.id, mailboxFor(t, active, threads.get(t.id)?.mailboxId)]));
}

/**
 * Where a ticket's mail would go, or null when there is no active mailbox to send from.
 * Addresses that could not be sent to safely are left out.
 */
export async function outboundTargetOf(ctx: Ctx, ticket: Ticket): Promise<OutboundTarget | null> {
  const all = await listMailboxRows(ctx.db);
  const thread = await findMailThread(ctx.db, ticket.id);
  const mailbox = mailboxFor(ticket, all, thread?.mailboxId);
  if (!mailbox) return null;
  const ours = new Set(all.map((m) => m.address));
  const isOurs = (address: string) => ours.has(splitPlusAddress(address).base);
  const participants = await participantsOf(ctx.db, [ticket.id]);
  const [contact] = await getContactsByIds(ctx, [ticket.requesterId]);
  // The address the requester wrote from, while they are still the ticket's requester; else their first address.
  const wroteFrom = participants.find((p) => p.role === 'requester' && contact?.emails.includes(p.email))?.email;
  const requesterEmail = wroteFrom ?? contact?.emails[0] ?? null;
  const requester = requesterEmail && isSafeAddress(requesterEmail) && !isOurs(requesterEmail) ? { name: contact?.name ?? '', address: requesterEmail } : null;
  // Staff are never copied: they read the ticket in Tessera (and were recorded as participants
  // before inbound mail learned to leave them out).
  const staff = await activeStaffByAddress(ctx);
  const cc = participants
    .filter((p) => p.role !== 'requester' && p.email !== requester?.address && !isOurs(p.email) && !staff.has(p.email.toLowerCase()) && isSafeAddress(p.email))
    .map((p) => ({ name: p.name, address: p.email }));
  const ids = (await messageIdsOfTicket(ctx.db, ticket.id, 50)).map((k) => k.headerId);
  const name = headerText(mailbox.displayName, 200);
  return {
    mailbox,
    from: { name, address: mailbox.address },
    replyTo: { name, address: replyAddress(await replySecret(ctx), mailbox.address, ticket.number) },
    requester,
    cc,
    inReplyTo: thread?.lastInboundHeaderId ?? ids[ids.length - 1] ?? null,
    references: ids,
  };
}

/**
 * The subject always carries the ticket token, only its own, and never stacks reply prefixes.
 * Another ticket's token (a follow-up's subject quoting the closed ticket's) would let a
 * customer's answer thread back to that ticket, and each round would add one more.
 */
export function mailSubject(subject: string, number: number): string {
  let s = withoutTicketTokens(headerText(subject), number).replace(/^((re|aw|sv|antw|fwd?)\s*:\s*){2,}/i, 'Re: ');
  if (!s.includes(`[#${number}]`)) s = `${s} [#${number}]`.trim();
  return s;
}

export interface OutboundDraft {
  ticket: Ticket;
  target: OutboundTarget;
  kind: MailKind;
  /** One mail per cause: a second draft with the same key is dropped. */
  dedupeKey: string;
  ticketMessageId: string | null;
  /** Acknowledgements and notices: marked Auto-Submitted and rate-limited. Agent replies are not. */
  automatic: boolean;
  to: MailAddress[];
  cc: MailAddress[];
  subject: string;
  html: string;
  text: string;
  /** Overrides the thread's newest message, e.g. the mail an acknowledgement answers. */
  inReplyTo?: string | null | undefined;
  attachments: MailAttachment[];
}

function uniqueRecipients(to: MailAddress[], cc: MailAddress[]): { to: MailAddress[]; cc: MailAddress[] } {
  const seen = new Set<string>();
  const keep = (list: MailAddress[]) =>
    list.filter((a) => {
      const k = a.address.toLowerCase();
      if (!isSafeAddress(a.address) || seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  const t = keep(to);
  return { to: t, cc: keep(cc) };
}

/** Rate limit for automatic mail: the first recipient over the limit, with the count. */
async function overLimit(ctx: Ctx, ticketId: string, to: MailAddress[]): Promise<string | null> {
  const limit = outboundConfig().autoMailPerHour;
  const since = new Date(ctx.now.getTime() - 3600_000).toISOString();
  for (const a of to) {
    const n = await countAutomaticSince(ctx.db, ticketId, a.address, since);
    if (n >= limit) return `not sent: ${a.address} already got ${n} automatic mails about this ticket in the last hour (limit ${limit})`;
  }
  return null;
}

/**
 * Composes a mail and queues it for sending, in the caller's transaction: the stored message
 * (raw bytes, so every retry sends the same Message-ID), its id in the thread map (so a copy
 * coming back is recognised), and the send job. Returns null when there is nobody to send to
 * or the cause already has its mail.
 */
export async function queueOutboundMail(ctx: Ctx, d: OutboundDraft): Promise<OutboundMail | null> {
  const { to, cc } = uniqueRecipients(d.to, d.cc);
  if (to.length === 0) return null;
  const at = ctx.now.toISOString();
  const id = uuidv7(ctx.now.getTime());
  const domain = d.target.mailbox.address.split('@')[1]!;
  const headerId = `<tessera.${id}@${domain}>`;
  const subject = mailSubject(d.subject, d.ticket.number);
  const suppressed = d.automatic ? await overLimit(ctx, d.ticket.id, to) : null;
  const raw = await composeMail({
    messageId: headerId,
    from: d.target.from,
    replyTo: d.target.replyTo,
    to,
    cc,
    subject,
    html: d.html,
    text: d.text,
    inReplyTo: d.inReplyTo === undefined ? d.target.inReplyTo : d.inReplyTo,
    references: d.target.references,
    date: ctx.now,
    automatic: d.automatic,
    headers: { 'X-Tessera-Ticket': String(d.ticket.number) },
    attachments: d.attachments,
  });
  const mail: OutboundMail = {
    id,
    ticketId: d.ticket.id,
    ticketMessageId: d.ticketMessageId,
    kind: d.kind,
    dedupeKey: d.dedupeKey,
    mailboxId: d.target.mailbox.id,
    headerId,
    from: d.target.from.address,
    to,
    cc,
    subject,
    automatic: d.automatic,
    status: suppressed ? 'suppressed' : 'queued',
    transport: null,
    attempts: 0,
    lastError: suppressed,
    lastErrorAt: suppressed ? at : null,
    smtpResponse: null,
    queuedAt: at,
    sentAt: null,
    failedAt: null,
  };
  if (!(await insertOutbound(ctx.db, mail, raw))) return null;
  if (suppressed) return mail;
  await recordMessageIds(ctx.db, [{ headerId, ticketId: d.ticket.id, messageId: d.ticketMessageId, direction: 'outbound', createdAt: at }]);
  await enqueue(ctx, sendMailShape, { outboundId: id }, { uniqueKey: `send-mail:${id}` });
  return mail;
}

/** Every mail a ticket sent or tried to send, with its delivery status (staff who can see the ticket). */
export async function mailDeliveries(ctx: Ctx, number: number): Promise<OutboundMail[]> {
  requireStaff(ctx.actor);
  const ticket = await getTicket(ctx, number);
  return listOutboundOfTicket(ctx.db, ticket.id);
}

/** The local outbox: what would have been sent had a relay been configured (admins). */
export async function listLocalOutbox(ctx: Ctx, q: { before?: { at: string; id: string } | undefined; limit: number }) {
  requireAdmin(ctx.actor);
  return listLocalOutboxPage(ctx.db, q);
}

export async function localOutboxRaw(ctx: Ctx, id: string): Promise<Buffer> {
  requireAdmin(ctx.actor);
  const mail = await findOutbound(ctx.db, id);
  const raw = mail?.transport === 'local' ? await readOutboundRaw(ctx.db, id) : undefined;
  if (!raw) throw notFound('Outbox mail');
  return raw;
}
