import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { emit } from '../../platform/events/emit.js';
import { SendFailure, type MailSender } from '../../platform/mail/mail-sender.js';
import { firstAddress, headerValue, readTopHeaders } from '../../platform/mail/raw-headers.js';
import { findOutbound, findOutboundByHeaderId, markAttemptFailed, markBounced, markSent, noteDeliveryDelay, readOutboundRaw, recordAttempt } from './outbound.repository.js';
import { findDeliveryReports, markDeliveryReportHandled } from './threads.repository.js';

/** Attempts per outbound mail, the first included; the send job retries with its backoff up to this. */
export const SEND_ATTEMPTS = 6;

/**
 * One delivery attempt of a queued mail. Runs outside any transaction (ctx.db is the database):
 * the SMTP conversation must not hold the single SQLite writer. Each step commits on its own:
 * the attempt is counted first, then the outcome recorded. A temporary failure is rethrown so
 * the job runner retries with backoff; a permanent one (5xx), or the last attempt, marks the
 * mail failed with the relay's answer.
 */
export async function deliverOutbound(ctx: Ctx, sender: MailSender, outboundId: string): Promise<void> {
  const mail = await findOutbound(ctx.db, outboundId);
  if (!mail || mail.status !== 'queued') return;
  const raw = await readOutboundRaw(ctx.db, outboundId);
  const attempt = await inTransaction(ctx, (tx) => recordAttempt(tx.db, outboundId, tx.now.toISOString()));
  if (attempt === 0 || !raw) return;
  // Bounces go to the signed reply address, so even a non-standard one lands on its ticket.
  const bounceTo = firstAddress(headerValue(readTopHeaders(raw), 'reply-to'));
  const envelope = { from: bounceTo ?? mail.from, to: [...mail.to, ...mail.cc].map((a) => a.address) };
  try {
    const result = await sender.send(raw, envelope);
    await inTransaction(ctx, (tx) => markSent(tx.db, outboundId, { transport: sender.transport, response: result.response, rejected: result.rejected, at: tx.now.toISOString() }));
  } catch (err) {
    const failure = err instanceof SendFailure ? err : new SendFailure(err instanceof Error ? err.message : String(err), false, null);
    const final = failure.permanent || attempt >= SEND_ATTEMPTS;
    const error = `attempt ${attempt}: ${failure.message}`;
    await inTransaction(ctx, async (tx) => {
      await markAttemptFailed(tx.db, outboundId, { error, at: tx.now.toISOString(), final, transport: sender.transport });
      if (final) await emit(tx, 'mail.outbound_failed', { outboundId, ticketId: mail.ticketId, reason: error.slice(0, 500) });
    });
    if (!final) throw failure;
  }
}

/**
 * A delivery-status notification about one of our messages: a failed recipient marks the mail
 * failed (a bounce after the relay had accepted it), a delay is noted. The report is then handled.
 */
export async function applyDeliveryReport(ctx: Ctx, p: { reportId: string; originalMessageId: string | null }): Promise<void> {
  if (!p.originalMessageId) return;
  const [report] = (await findDeliveryReports(ctx.db, { originalHeaderId: p.originalMessageId, unhandledOnly: true })).filter((r) => r.id === p.reportId);
  if (!report) return;
  const mail = await findOutboundByHeaderId(ctx.db, p.originalMessageId);
  const at = ctx.now.toISOString();
  if (mail) {
    const what = [report.recipient ?? 'a recipient', report.status, report.diagnostic].filter(Boolean).join(' ');
    if (report.action === 'failed') {
      await markBounced(ctx.db, mail.id, `bounced: ${what}`, at);
      await emit(ctx, 'mail.outbound_failed', { outboundId: mail.id, ticketId: mail.ticketId, reason: `bounced: ${what}`.slice(0, 500) });
    } else if (report.action === 'delayed') {
      await noteDeliveryDelay(ctx.db, mail.id, `delayed: ${what}`, at);
    }
  }
  await markDeliveryReportHandled(ctx.db, report.id, at);
}
