import { systemActor, type Ctx } from '../../platform/context.js';
import { capabilitiesOf } from '../../platform/db/dialect/sql.js';
import { withSavepoint } from '../../platform/db/dialect/durable.js';
import { onceInTransaction } from '../../platform/db/transaction-memo.js';
import { AppError } from '../../platform/errors.js';
import { emit } from '../../platform/events/emit.js';
import { randomToken, uuidv7 } from '../../platform/ids.js';
import { enqueue } from '../../platform/jobs/define-job.js';
import { classifyMail, type MailClassification } from '../../platform/mail/loop-classifier.js';
import { extractMessageIds, headerValue, readTopHeaders } from '../../platform/mail/raw-headers.js';
import { parseMail, type ParsedMail } from '../../platform/mail/mime-parser.js';
import { appendTicketEvents, canSeeTicket, currentTicketById, eventsFrom, getTicket, insertNewTicket, requireTicketById, type Ticket } from '../tickets/index.js';
import { addMessageToTicket } from '../messages/index.js';
import { contactSearchText, findOrCreateContactByEmail, getContactsByIds, type Contact } from '../contacts/index.js';
import { anyPendingWithMessageIds, findInbound, lockInbound, saveInboundOutcome, type InboundMail, type InboundOutcome } from './inbound.repository.js';
import { processInboundShape } from './inbound-job-shape.js';
import { buildMessageContent, type ChannelRuntime } from './mail-content.js';
import { listMailboxRows, type Mailbox } from './mailboxes.repository.js';
import { splitPlusAddress } from './reply-token.js';
import { answersAgentNotification } from './outbound.repository.js';
import { activeStaffByAddress, staffActorOf, type StaffActor } from './staff-senders.js';
import { matchThread, threadLookups, withoutTicketTokens, type ThreadFacts, type ThreadMatch } from './thread-matcher.js';
import { findMessageIds, insertDeliveryReports, participantsOf, readOrCreateSecret, recordMessageIds, upsertMailThread, upsertParticipants } from './threads.repository.js';

/** A reason to quarantine that is about the message itself, not a fault of ours. */
class UnprocessableMail extends Error {}

export const replySecret = (ctx: Ctx): Promise<string> => onceInTransaction(ctx.db, 'mail:reply-secret', () => readOrCreateSecret(ctx.db, () => randomToken(32), ctx.now.toISOString()));


function describe(err: unknown): string {
  if (err instanceof AppError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/**
 * The job body: turns one stored raw message into a ticket message (or a delivery report, or
 * an ignored loop). Idempotent: a row that is no longer pending is left alone. Everything the
 * message causes runs in a savepoint; any failure rolls that back and quarantines the row with
 * the reason, raw bytes kept for replay.
 */
export async function processInbound(ctx: Ctx, rt: ChannelRuntime, inboundId: string, deferrals = 0): Promise<void> {
  const locked = await lockInbound(ctx.db, inboundId, capabilitiesOf(ctx.db).rowLocks);
  if (!locked || locked.row.status !== 'pending') return;
  const { row, raw } = locked;
  if (deferrals < MAX_DEFERRALS && (await answersPendingMail(ctx, row, raw))) {
    await enqueue(ctx, processInboundShape, { inboundId, deferrals: deferrals + 1 }, { runAt: new Date(ctx.now.getTime() + DEFER_MS) });
    return;
  }
  const mailCtx: Ctx = { ...ctx, actor: systemActor('email') };
  const at = ctx.now.toISOString();
  try {
    const outcome = await withSavepoint(ctx.db, 'inbound_mail', () => handleMail(mailCtx, rt, row, raw));
    await saveInboundOutcome(ctx.db, row.id, outcome, at);
  } catch (err) {
    const reason = describe(err);
    await saveInboundOutcome(ctx.db, row.id, { ...EMPTY_OUTCOME, status: 'quarantined', reason }, at);
    await emit(ctx, 'mail.quarantined', { inboundId: row.id, reason });
  }
}

const MAX_DEFERRALS = 5;
const DEFER_MS = 2000;

/**
 * Several workers process mail at once (PostgreSQL, or several processes): a reply must not be
 * threaded before the message it answers, which may be stored but still waiting, or being
 * processed by another worker. Such a reply waits a little (a few times at most: a message that
 * stays pending for long must not hold its replies back for ever).
 */
async function answersPendingMail(ctx: Ctx, row: InboundMail, raw: Buffer): Promise<boolean> {
  const headers = readTopHeaders(raw);
  const answered = [...extractMessageIds(headerValue(headers, 'in-reply-to')), ...extractMessageIds(headerValue(headers, 'references'))];
  return anyPendingWithMessageIds(ctx.db, answered.filter((id) => id !== row.messageId), row.id);
}

const EMPTY_OUTCOME: InboundOutcome = { status: 'processed', reason: null, kind: null, suppressAutoReply: false, loopSignals: [], threadMatch: null, ticketId: null, ticketMessageId: null, trimmed: false };

async function handleMail(ctx: Ctx, rt: ChannelRuntime, row: InboundMail, raw: Buffer): Promise<InboundOutcome> {
  const parsed = await parseMail(raw);
  const from = parsed.from?.address ?? null;
  const classification = classifyMail({ headers: parsed.headers, from, subject: parsed.subject, envelopeFrom: row.source === 'smtp' ? (row.envelope.mailFrom ?? '') : undefined });
  const base: InboundOutcome = {
    ...EMPTY_OUTCOME,
    kind: classification.kind,
    suppressAutoReply: classification.suppressAutoReply,
    loopSignals: classification.signals,
    from,
    subject: parsed.subject.slice(0, 500) || null,
  };
  if (parsed.deliveryReport) return recordDeliveryReport(ctx, row, parsed, base);
  if (!from) throw new UnprocessableMail('the message has no sender address (From)');

  const mailboxes = await onceInTransaction(ctx.db, 'mailboxes:all', () => listMailboxRows(ctx.db));
  const ours = new Set(mailboxes.map((m) => m.address));
  if (ours.has(splitPlusAddress(from).base)) {
    return { ...base, status: 'ignored', reason: `sent from our own address ${from} (a mail loop)` };
  }
  const mailbox = row.mailboxId ? mailboxes.find((m) => m.id === row.mailboxId) : undefined;
  // Our own outbound message coming back, or one already recorded under another stored id.
  const [seen] = parsed.messageId ? await findMessageIds(ctx.db, [parsed.messageId]) : [];
  if (seen) return { ...base, status: 'duplicate', reason: `Message-ID ${seen.headerId} is already part of a ticket (${seen.direction})`, ticketId: seen.ticketId, ticketMessageId: seen.messageId };

  const secret = await replySecret(ctx);
  const facts: ThreadFacts = {
    from,
    recipients: [...row.envelope.rcptTo, ...parsed.to.map((a) => a.address), ...parsed.cc.map((a) => a.address)],
    inReplyTo: parsed.inReplyTo,
    references: parsed.references,
    subject: parsed.subject,
    mailboxAddresses: [...ours],
  };
  const match = matchThread(facts, await loadKnownThreads(ctx, facts, secret), secret);
  const target = match.by === 'none' ? null : await currentTicketById(ctx, match.ticketId);
  // Staff answering on a ticket are not the customer speaking (unless they are its requester).
  // A new mail from them opens a ticket as before: agents forward customers' mail to do so.
  const staff = target ? await staffActorOf(ctx, from) : null;
  if (match.by !== 'none' && target && staff && !(await isRequesterAddress(ctx, target, from))) return addStaffNote(ctx, rt, { parsed, base, match, target, staff });

  const contact = (await findOrCreateContactByEmail(ctx, from, parsed.from?.name || undefined)).contact;
  const content = await buildMessageContent(ctx, rt, parsed);
  const message = { kind: 'customer' as const, body: content.body, format: content.format, attachmentIds: content.attachmentIds, authorContactId: contact.id };

  let ticket: Ticket;
  let messageId: string;
  let threadMatch = describeMatch(match);
  let isNew = false;
  if (target && (target.status !== 'closed' || classification.keepsTicketStatus)) {
    // Automatic replies are kept on the conversation without reopening or moving it.
    const added = await addMessageToTicket(ctx, target, { ...message, keepStatus: classification.keepsTicketStatus });
    ticket = added.ticket;
    messageId = added.message.id;
  } else {
    const followUpOf = target;
    const created = await openTicket(ctx, contact, parsed, followUpOf ? (followUpOf.groupId ?? mailbox?.defaultGroupId ?? null) : (mailbox?.defaultGroupId ?? null), followUpOf, message);
    ticket = created.ticket;
    messageId = created.messageId;
    isNew = true;
    if (followUpOf) threadMatch = `follow_up_of:#${followUpOf.number} (${threadMatch})`;
  }

  await recordConversation(ctx, { ticket, messageId, parsed, row, contact, mailbox, ours, isNew });
  return { ...base, threadMatch, ticketId: ticket.id, ticketMessageId: messageId, trimmed: content.trimmed };
}

const describeMatch = (m: ThreadMatch): string => (m.by === 'none' ? 'new' : `${m.by}:${m.detail}`);

async function isRequesterAddress(ctx: Ctx, ticket: Ticket, address: string): Promise<boolean> {
  const [requester] = await getContactsByIds(ctx, [ticket.requesterId]);
  return (requester?.emails ?? []).some((e) => e.toLowerCase() === address);
}

/**
 * Mail from a staff user's address on an existing ticket (typically an agent answering their
 * notification mail) becomes that user's internal note: never a customer message, so no
 * contact, no mail participant, no status change, nothing mailed to the customer. A From line
 * can be forged by anyone, though, and a note carries the agent's authority; so it is taken
 * only when it answers an agent notification mailed to that address about this ticket (its
 * Message-ID went to that agent alone). Anything else from a staff address is quarantined with
 * the reason, for an admin to look at.
 */
async function addStaffNote(
  ctx: Ctx,
  rt: ChannelRuntime,
  c: { parsed: ParsedMail; base: InboundOutcome; match: Exclude<ThreadMatch, { by: 'none' }>; target: Ticket; staff: StaffActor },
): Promise<InboundOutcome> {
  const { parsed, target, staff } = c;
  const who = `${staff.role} ${staff.name} <${staff.email}>`;
  const answered = [...parsed.inReplyTo, ...parsed.references];
  if (!(await answersAgentNotification(ctx.db, answered, [c.match.ticketId, target.id], staff.email))) {
    throw new UnprocessableMail(
      `sent from the address of ${who} onto ticket #${target.number}, but it does not answer a notification mailed to them: ` +
        'not taken as a customer message, nor as their internal note (the sender may be forged); staff answer in Tessera or reply to their notification mail',
    );
  }
  if (!canSeeTicket(staff, target)) throw new UnprocessableMail(`${who} answered a notification about ticket #${target.number}, which they may no longer see`);
  // Uploads of a staff note must be the author's own (messages module); a mailed file has no uploader, so it is named, not kept.
  const content = await buildMessageContent(ctx, rt, parsed, { leaveFilesOut: 'files mailed to an internal note are not attached; the original mail keeps them' });
  const added = await addMessageToTicket({ ...ctx, actor: staff }, target, { kind: 'note', body: content.body, format: content.format, attachmentIds: [] });
  return {
    ...c.base,
    reason: `from ${who}: kept as their internal note`,
    threadMatch: describeMatch(c.match),
    ticketId: added.ticket.id,
    ticketMessageId: added.message.id,
    trimmed: content.trimmed,
  };
}

/** Loads what the pure thread matcher asks for: tickets by number, stored Message-IDs, participants. */
async function loadKnownThreads(ctx: Ctx, facts: ThreadFacts, secret: string) {
  const wanted = threadLookups(facts, secret);
  const ticketsByNumber = new Map<number, string>();
  const closedTicketIds = new Set<string>();
  for (const n of new Set([...wanted.tokenNumbers, ...wanted.subjectNumbers])) {
    const t = await getTicket(ctx, n).catch((err: unknown) => {
      if (err instanceof AppError && err.code === 'not_found') return null;
      throw err;
    });
    if (t) ticketsByNumber.set(n, t.id);
    if (t?.status === 'closed') closedTicketIds.add(t.id);
  }
  const ticketByMessageId = new Map((await findMessageIds(ctx.db, wanted.messageIds)).map((k) => [k.headerId, k.ticketId]));
  const subjectTicketIds = wanted.subjectNumbers.map((n) => ticketsByNumber.get(n)).filter((x): x is string => Boolean(x));
  const participants = new Map<string, string[]>();
  for (const p of await participantsOf(ctx.db, subjectTicketIds)) participants.set(p.ticketId, [...(participants.get(p.ticketId) ?? []), p.email]);
  // Tickets opened by other channels have no mail participants yet: their requester counts.
  for (const id of subjectTicketIds) {
    const t = await requireTicketById(ctx, id);
    const [requester] = await getContactsByIds(ctx, [t.requesterId]);
    participants.set(id, [...(participants.get(id) ?? []), ...(requester?.emails ?? [])]);
  }
  return { ticketsByNumber, ticketByMessageId, participants, closedTicketIds };
}

/** A merged ticket's conversation continues on the ticket it was merged into. */

async function openTicket(
  ctx: Ctx,
  contact: Contact,
  parsed: ParsedMail,
  groupId: string | null,
  followUpOf: Ticket | null,
  message: { kind: 'customer'; body: string; format: 'text' | 'html'; attachmentIds: string[]; authorContactId: string },
): Promise<{ ticket: Ticket; messageId: string }> {
  const at = ctx.now.toISOString();
  // A follow-up does not keep the closed ticket's token: mail about it would carry two, and an
  // answer by subject could thread back to the closed ticket.
  const subject = followUpOf ? withoutTicketTokens(parsed.subject, null) || withoutTicketTokens(followUpOf.subject, null) : parsed.subject;
  const ticket = await insertNewTicket(ctx, {
    subject: (subject || '(no subject)').slice(0, 500),
    requesterId: contact.id,
    organizationId: contact.organizationId,
    requesterText: contactSearchText(contact),
    priority: 'medium',
    type: 'question',
    channel: 'email',
    assigneeId: null,
    groupId,
    tags: [],
    customFields: {},
    followUpOfId: followUpOf?.id ?? null,
    openingMessage: { kind: 'customer', at },
  });
  const added = await addMessageToTicket(ctx, ticket, { ...message, opening: true });
  if (followUpOf) {
    await appendTicketEvents(ctx.db, eventsFrom(ctx, followUpOf.id, [{ action: 'follow_up_opened', from: null, to: { ticketId: ticket.id, number: ticket.number } }]));
  }
  return { ticket: added.ticket, messageId: added.message.id };
}

/** Message-IDs, participants and the mailbox of the conversation, for threading and outbound replies. */
async function recordConversation(
  ctx: Ctx,
  c: { ticket: Ticket; messageId: string; parsed: ParsedMail; row: InboundMail; contact: Contact; mailbox: Mailbox | undefined; ours: Set<string>; isNew: boolean },
): Promise<void> {
  const at = ctx.now.toISOString();
  const headerIds = [...new Set([c.parsed.messageId, c.row.messageId].filter((x): x is string => Boolean(x)))];
  await recordMessageIds(ctx.db, headerIds.map((headerId) => ({ headerId, ticketId: c.ticket.id, messageId: c.messageId, direction: 'inbound' as const, createdAt: at })));
  const from = c.parsed.from!;
  // Staff in copy follow the ticket in Tessera: they are not the customer's side of the
  // conversation, and copied on every reply their answers would come back by mail.
  const staff = await activeStaffByAddress(ctx);
  const others = [...c.parsed.to, ...c.parsed.cc].filter((a) => !c.ours.has(splitPlusAddress(a.address).base) && a.address !== from.address && !staff.has(a.address.toLowerCase()));
  await upsertParticipants(
    ctx.db,
    [
      { ticketId: c.ticket.id, email: from.address, name: from.name, role: c.isNew ? 'requester' : 'sender', contactId: c.contact.id },
      ...others.map((a) => ({ ticketId: c.ticket.id, email: a.address, name: a.name, role: 'cc' as const, contactId: null })),
    ],
    at,
  );
  await upsertMailThread(ctx.db, { ticketId: c.ticket.id, mailboxId: c.mailbox?.id ?? null, lastInboundHeaderId: headerIds[0] ?? null }, at);
}

/** Delivery-status notifications are not conversation: each recipient's outcome is recorded for the outbound side. */
async function recordDeliveryReport(ctx: Ctx, row: InboundMail, parsed: ParsedMail, base: InboundOutcome): Promise<InboundOutcome> {
  const report = parsed.deliveryReport!;
  const original = report.originalMessageId;
  const [known] = original ? await findMessageIds(ctx.db, [original]) : [];
  const at = ctx.now.toISOString();
  const recipients = report.recipients.length ? report.recipients : [{ recipient: null, action: 'unknown', status: null, diagnostic: null }];
  const rows = recipients.map((r) => ({
    id: uuidv7(ctx.now.getTime()),
    inboundId: row.id,
    originalHeaderId: original,
    ticketId: known?.ticketId ?? null,
    recipient: r.recipient,
    action: r.action,
    status: r.status,
    diagnostic: r.diagnostic,
    handledAt: null,
    createdAt: at,
  }));
  await insertDeliveryReports(ctx.db, rows);
  for (const r of rows) {
    await emit(ctx, 'mail.delivery_report', { reportId: r.id, inboundId: row.id, originalMessageId: original, ticketId: r.ticketId, recipient: r.recipient, action: r.action, status: r.status });
  }
  const summary = rows.map((r) => `${r.recipient ?? 'unknown recipient'}: ${r.action}${r.status ? ` ${r.status}` : ''}`).join('; ');
  return { ...base, status: 'processed', reason: `delivery report for ${original ?? 'an unknown message'} (${summary})`.slice(0, 2000), ticketId: known?.ticketId ?? null, threadMatch: original ? `delivery_report:${original}` : 'delivery_report' };
}

/** Re-reads a row after processing (tests, replay responses). */
export const findInboundMail = (ctx: Ctx, id: string): Promise<InboundMail | undefined> => findInbound(ctx.db, id);

export type { MailClassification };
