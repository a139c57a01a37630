import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../platform/jobs/define-job.js';
import type { MailSender } from '../../platform/mail/mail-sender.js';
import { applyDeliveryReport, deliverOutbound, SEND_ATTEMPTS } from './outbound-delivery.service.js';

const sendPayload = z.object({ outboundId: z.string() });
const SEND = 'channels.send-mail';

// 30 s, 2 min, 8 min, 32 min, 2 h: a relay that is down for a while still gets the mail.
const backoffMs = (n: number): number => Math.min(2 * 3600_000, 30_000 * 4 ** (n - 1));

/** Sends one queued mail through the process's sender (relay or local outbox); bound at registration. */
export function sendMailJob(sender: MailSender): JobDefinition<typeof sendPayload> {
  return defineJob({ name: SEND, payload: sendPayload, attempts: SEND_ATTEMPTS, backoffMs, ownTransactions: true, lane: 'outbound', handler: (ctx, p) => deliverOutbound(ctx, sender, p.outboundId) });
}

/** The name and payload for enqueueing; the handler is the one registered with the runner. */
export const sendMailShape: JobDefinition<typeof sendPayload> = defineJob({
  name: SEND,
  payload: sendPayload,
  attempts: SEND_ATTEMPTS,
  backoffMs,
  handler: () => Promise.reject(new Error(`${SEND} runs through the definition registered with the job runner`)),
});

export const deliveryReportJob = defineJob({
  name: 'channels.apply-delivery-report',
  payload: z.object({ reportId: z.string(), originalMessageId: z.string().nullable() }),
  handler: (ctx, p) => applyDeliveryReport(ctx, p),
});
