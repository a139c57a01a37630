import { recordAudit } from '../../platform/audit/audit.repository.js';
import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { AppError, conflict, invalidField, notFound } from '../../platform/errors.js';
import { enqueue } from '../../platform/jobs/define-job.js';
import { parseMail } from '../../platform/mail/mime-parser.js';
import { requireAdmin, requireStaff } from '../auth/index.js';
import { sanitizeMessageHtml } from '../messages/index.js';
import { getTicket, getTicketOf } from '../tickets/index.js';
import { findInbound, findInboundByTicketMessage, listInboundPage, readInboundRaw, resetInboundToPending, type InboundMail, type InboundStatus } from './inbound.repository.js';
import { processInboundShape } from './inbound-job-shape.js';
import { storeInboundMail, type StoredMail } from './inbound-store.service.js';
import { activeMailboxFor } from './mailboxes.service.js';
import { findDeliveryReports, participantsOf, type DeliveryReportRow, type Participant } from './threads.repository.js';

/** Raw MIME posted by an integrator (admin API token), for the mailbox it was addressed to. */
export async function acceptUploadedMail(ctx: Ctx, input: { raw: Buffer; mailbox: string }): Promise<StoredMail> {
  requireAdmin(ctx.actor);
  const mailbox = await activeMailboxFor(ctx.db, input.mailbox);
  if (!mailbox) throw invalidField('mailbox', `no active mailbox has the address ${input.mailbox}`);
  return storeInboundMail(ctx, {
    raw: input.raw,
    source: 'api',
    mailboxId: mailbox.id,
    envelope: { mailFrom: null, rcptTo: [input.mailbox.toLowerCase()], remoteAddress: ctx.ip ?? null, helo: null, tls: false },
  });
}

export async function listInboundMail(ctx: Ctx, q: { status?: InboundStatus | undefined; before?: { at: string; id: string } | undefined; limit: number }): Promise<InboundMail[]> {
  requireAdmin(ctx.actor);
  return listInboundPage(ctx.db, q);
}

export async function getInboundMail(ctx: Ctx, id: string): Promise<{ mail: InboundMail; reports: DeliveryReportRow[] }> {
  requireAdmin(ctx.actor);
  const m = await findInbound(ctx.db, id);
  if (!m) throw notFound('Inbound mail');
  return { mail: m, reports: m.kind === 'delivery_report' ? await findDeliveryReports(ctx.db, { inboundId: id }) : [] };
}

export async function inboundRaw(ctx: Ctx, id: string): Promise<Buffer> {
  requireAdmin(ctx.actor);
  const raw = await readInboundRaw(ctx.db, id);
  if (!raw) throw notFound('Inbound mail');
  return raw;
}

/** Queues a quarantined (or ignored) message again, e.g. after the admin fixed its mailbox. */
export async function replayInboundMail(ctx: Ctx, id: string): Promise<InboundMail> {
  requireAdmin(ctx.actor);
  return inTransaction(ctx, async (tx) => {
    const m = await findInbound(tx.db, id);
    if (!m) throw notFound('Inbound mail');
    if (m.status !== 'quarantined' && m.status !== 'ignored') throw conflict(`Only quarantined or ignored mail can be replayed; this one is ${m.status}`, { status: m.status });
    await resetInboundToPending(tx.db, id, tx.now.toISOString());
    await enqueue(tx, processInboundShape, { inboundId: id }, { uniqueKey: `inbound:${id}` });
    await recordAudit(tx, 'mail.replayed', { type: 'inbound_mail', id }, { previousStatus: m.status, reason: m.reason });
    return { ...m, status: 'pending', reason: null, processedAt: null };
  });
}

/** Who takes part in a ticket's mail conversation (requester, senders, people in copy). */
export async function mailParticipants(ctx: Ctx, number: number): Promise<Participant[]> {
  requireStaff(ctx.actor);
  const ticket = await getTicket(ctx, number);
  return participantsOf(ctx.db, [ticket.id]);
}

/** The whole original of an email message (quoted history included), for staff who can see its ticket. */
export async function originalOfMessage(ctx: Ctx, messageId: string) {
  requireStaff(ctx.actor);
  const inbound = await findInboundByTicketMessage(ctx.db, messageId);
  if (!inbound || !inbound.ticketId) throw notFound('Email original');
  await getTicketOf(ctx, inbound.ticketId, 'Email original');
  const raw = await readInboundRaw(ctx.db, inbound.id);
  if (!raw) throw notFound('Email original');
  const parsed = await parseMail(raw).catch((err: unknown) => {
    throw new AppError('internal', `The stored message cannot be parsed: ${err instanceof Error ? err.message : String(err)}`);
  });
  return {
    inboundId: inbound.id,
    messageId: inbound.messageId,
    from: parsed.from?.address ?? null,
    to: parsed.to.map((a) => a.address),
    cc: parsed.cc.map((a) => a.address),
    subject: parsed.subject,
    date: parsed.date,
    text: parsed.text,
    html: parsed.html ? sanitizeMessageHtml(parsed.html) : null,
    trimmed: inbound.trimmed,
    rawUrl: `/api/v1/mail/inbound/${inbound.id}/raw`,
  };
}
