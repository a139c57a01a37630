import type { BlobStore } from '../../platform/blobs/blob-store.js';
import type { JobRunner } from '../../platform/jobs/job-runner.js';
import { loadMailConfig } from '../../platform/mail/mail-config.js';
import type { EventPayload } from '../../../contracts/events.js';
import type { Config } from '../../config.js';
import { systemActor } from '../../platform/context.js';
import type { EventDispatcher } from '../../platform/events/dispatcher.js';
import { enqueue } from '../../platform/jobs/define-job.js';
import { mailSenderFor } from '../../platform/mail/mail-sender.js';
import { describeSmtpUrl, loadOutboundMailConfig } from '../../platform/mail/outbound-config.js';
import { imapPollJob } from './imap-poll.job.js';
import { processInboundJob } from './inbound.job.js';
import { deliveryReportJob, sendMailJob } from './outbound-send.job.js';

export { registerChannelRoutes } from './channels.routes.js';
// Live chat (issue 6): console API, widget endpoints and visitor socket, pushes, the unanswered-chat job.
export { registerChatRoutes } from './chat/chat.routes.js';
export { registerChatRealtime } from './chat/chat.realtime.js';
export { chatUnansweredJob } from './chat/chat.service.js';
// The contact form (issue 6): /support/new, its embeddable frame, settings.
export { registerFormRoutes } from './forms/form.routes.js';
export { startInboundSmtp, type SmtpIntakeDeps, type SmtpIntakeOptions } from './smtp-intake.js';
export { runMailPipe, EX_OK, EX_DATAERR, EX_TEMPFAIL } from './mail-pipe.js';
export { storeInboundMail, type IncomingMail, type StoredMail } from './inbound-store.service.js';
export { processInbound, replySecret } from './inbound-process.service.js';
export { activeMailboxFor } from './mailboxes.service.js';
export type { ChannelRuntime } from './mail-content.js';
// Prepared for the outbound side and the IMAP poller (see docs/adr/0004-inbound-mail-durability.md).
export { replyAddress, replyToken, verifyReplyToken } from './reply-token.js';
export { recordMessageIds, messageIdsOfTicket, participantsOf, findMailThread, findDeliveryReports, markDeliveryReportHandled, type KnownMessageId, type Participant } from './threads.repository.js';
export { findMailboxById, listMailboxRows, saveImapSyncState, type Mailbox, type ImapSyncState } from './mailboxes.repository.js';
export { findInboundByTicketMessage, type InboundMail } from './inbound.repository.js';

// Outbound mail and IMAP polling (issue 3, outbound half).
export { outboundMailboxOf, outboundMailboxesOf, outboundTargetOf, queueOutboundMail, mailSubject, type OutboundTarget, type OutboundDraft } from './outbound.service.js';
export type { OutboundKind, OutboundMail } from './outbound.repository.js';

// Phone, SMS/social and the customer portal (issue 6).
export { registerMessagingChannelRoutes, registerMessagingChannelJobs, registerMessagingChannelSubscribers } from './messaging-channels.js';

/** Registers the mail jobs with their runtime (blob store, limits, relay and poll interval from the environment). */
export function registerChannelJobs(jobs: JobRunner, deps: { blobs: BlobStore; config: Config }): void {
  const mail = loadMailConfig();
  const out = loadOutboundMailConfig();
  jobs.register(processInboundJob({ blobs: deps.blobs, maxAttachmentBytes: deps.config.maxAttachmentBytes, maxMailAttachmentsBytes: mail.maxMailAttachmentsBytes }));
  jobs.register(sendMailJob(mailSenderFor(out.smtpUrl)));
  jobs.register(deliveryReportJob);
  const warn = (message: string) => {
    if (deps.config.logLevel !== 'silent') console.warn(`tessera: ${message}`);
  };
  jobs.every(imapPollJob({ maxMailBytes: mail.maxMailBytes, timeoutMs: 90_000, batch: 500, warn }), out.imapPollMs);
}

/** Where outbound mail goes, for the start-up banner. */
export const outboundMailTarget = (): string => describeSmtpUrl(loadOutboundMailConfig().smtpUrl);

/** A bounce about one of our messages marks that message failed (in a job, so it retries). */
export function registerChannelSubscribers(events: EventDispatcher): void {
  events.subscribe('mail.delivery_report', async (event, db) => {
    const p = event.payload as EventPayload<'mail.delivery_report'>;
    if (!p.originalMessageId) return;
    const ctx = { actor: systemActor('mail'), requestId: event.id, now: new Date(event.createdAt), db, events };
    await enqueue(ctx, deliveryReportJob, { reportId: p.reportId, originalMessageId: p.originalMessageId }, { uniqueKey: `delivery-report:${p.reportId}` });
  });
}
