import { z } from 'zod';
import type { CustomerNotificationKey } from '../../../contracts/customer-notifications.js';
import { isImported, type EventPayload } from '../../../contracts/events.js';
import type { BlobStore } from '../../platform/blobs/blob-store.js';
import { systemActor, type Ctx } from '../../platform/context.js';
import { toIso } from '../../platform/db/rows.js';
import type { EventDispatcher } from '../../platform/events/dispatcher.js';
import type { OutboxEvent } from '../../platform/events/outbox.repository.js';
import { defineJob, enqueue, enqueueMany, type JobDefinition } from '../../platform/jobs/define-job.js';
import type { JobRunner } from '../../platform/jobs/job-runner.js';
import { outboundMailboxesOf, outboundMailboxOf } from '../channels/index.js';
import { findTicketsByIds, requireTicketById } from '../tickets/index.js';
import { notificationEnabled } from './customer-mail-vars.js';
import { sendCustomerMail, type CustomerMailCause, type CustomerMailRuntime } from './customer-mail.service.js';

const payload = z.discriminatedUnion('cause', [
  z.object({ cause: z.literal('reply'), ticketId: z.string(), messageId: z.string() }),
  z.object({ cause: z.literal('ticket_created'), ticketId: z.string() }),
  z.object({ cause: z.literal('status_changed'), ticketId: z.string(), to: z.string(), eventId: z.string(), at: z.string() }),
]);
const NAME = 'notifications.customer-mail';

/** Renders and queues one customer mail; bound to the blob store (reply attachments) at registration. */
function customerMailJob(rt: CustomerMailRuntime): JobDefinition<typeof payload> {
  return defineJob({ name: NAME, payload, handler: (ctx, p) => sendCustomerMail(ctx, rt, p as CustomerMailCause) });
}

const customerMailShape: JobDefinition<typeof payload> = defineJob({
  name: NAME,
  payload,
  handler: () => Promise.reject(new Error(`${NAME} runs through the definition registered with the job runner`)),
});

export function registerCustomerNotificationJobs(jobs: JobRunner, deps: { blobs: BlobStore; config: { maxAttachmentBytes: number } }): void {
  jobs.register(customerMailJob({ blobs: deps.blobs, maxAttachmentBytes: Math.max(deps.config.maxAttachmentBytes, 10 * 1024 * 1024), log: () => undefined }));
}

const ctxOf = (event: OutboxEvent, db: Ctx['db'], events: EventDispatcher): Ctx => ({ actor: systemActor('customer-notifications'), requestId: event.id, now: new Date(toIso(event.createdAt)), db, events });

/**
 * Whether the occasion could send at all (a mailbox to send from, and its switch on): a few reads
 * here spare a job per ticket where mail is off. The job checks everything again when it runs.
 */
async function wanted(ctx: Ctx, ticketId: string, key: CustomerNotificationKey): Promise<boolean> {
  const ticket = await requireTicketById(ctx, ticketId).catch(() => null);
  if (!ticket) return false;
  const mailbox = await outboundMailboxOf(ctx, ticket);
  return mailbox !== null && (await notificationEnabled(ctx.db, key, mailbox.id));
}

/**
 * Customer mail is made by a job after the change commits; these subscribers only enqueue it.
 * Imported history never mails the customer, however recent (the job's staleness check only
 * catches old history).
 */
export function registerCustomerNotificationSubscribers(events: EventDispatcher): void {
  events.subscribe('message.created', async (event, db) => {
    const p = event.payload as EventPayload<'message.created'>;
    if (p.kind !== 'reply' || isImported(p)) return;
    const ctx = ctxOf(event, db, events);
    if (!(await wanted(ctx, p.ticketId, 'reply'))) return;
    await enqueue(ctx, customerMailShape, { cause: 'reply', ticketId: p.ticketId, messageId: p.messageId }, { uniqueKey: `customer-mail:reply:${p.messageId}` });
  });
  // New tickets come in runs (a batch create's, a busy minute's mail): read and queued together.
  events.subscribeRun('ticket.created', async (run, db) => {
    // Which chats are acknowledged (the unanswered ones) the job decides from the ticket.
    const due = run.filter((e) => {
      const p = e.payload as EventPayload<'ticket.created'>;
      return (p.channel === 'email' || p.channel === 'web_form' || p.channel === 'chat') && !isImported(p);
    });
    if (!due.length) return;
    const ctx = ctxOf(due[0]!, db, events);
    const tickets = await findTicketsByIds(db, due.map((e) => (e.payload as EventPayload<'ticket.created'>).ticketId));
    const mailboxes = await outboundMailboxesOf(ctx, tickets);
    const acknowledged: { payload: { cause: 'ticket_created'; ticketId: string }; runAt: Date; uniqueKey: string }[] = [];
    for (const event of due) {
      const ticketId = (event.payload as EventPayload<'ticket.created'>).ticketId;
      const mailbox = mailboxes.get(ticketId);
      if (!mailbox || !(await notificationEnabled(db, 'acknowledgement', mailbox.id))) continue;
      acknowledged.push({ payload: { cause: 'ticket_created', ticketId }, runAt: new Date(toIso(event.createdAt)), uniqueKey: `customer-mail:ack:${ticketId}` });
    }
    await enqueueMany(ctx, customerMailShape, acknowledged);
  });
  events.subscribe('ticket.status_changed', async (event, db) => {
    const p = event.payload as EventPayload<'ticket.status_changed'>;
    if ((p.to !== 'waiting' && p.to !== 'resolved' && p.to !== 'closed') || isImported(p)) return;
    const ctx = ctxOf(event, db, events);
    if (!(await wanted(ctx, p.ticketId, `status_${p.to}`))) return;
    const at = toIso(event.createdAt);
    await enqueue(ctx, customerMailShape, { cause: 'status_changed', ticketId: p.ticketId, to: p.to, eventId: event.id, at }, { uniqueKey: `customer-mail:status:${event.id}` });
  });
}
