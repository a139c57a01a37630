import { z } from 'zod';
import { isImported, type EventPayload } from '../../../contracts/events.js';
import { systemActor } from '../../platform/context.js';
import type { EventDispatcher } from '../../platform/events/dispatcher.js';
import { defineJob, enqueue, enqueueMany } from '../../platform/jobs/define-job.js';
import type { JobRunner } from '../../platform/jobs/job-runner.js';
import { toIso } from '../../platform/db/rows.js';
import { ticketAssignee } from '../tickets/index.js';
import { NOTIFY_EVENTS, notifyFor, type NotifyCause } from './notification-rules.js';
import { forgetTicketNotifications } from './notifications.service.js';

export const notifyJob = defineJob({
  name: 'notifications.notify',
  payload: z.object({ event: z.enum(NOTIFY_EVENTS), eventId: z.string(), at: z.string(), payload: z.record(z.string(), z.unknown()) }),
  handler: async (ctx, p) => {
    await notifyFor(ctx, p as NotifyCause);
  },
});

export function registerNotificationJobs(jobs: JobRunner): void {
  jobs.register(notifyJob);
}

/** Notifications are made by a job after the change commits (DESIGN 5); the subscriber only enqueues it. */
export function registerNotificationSubscribers(events: EventDispatcher): void {
  // Assignments come in runs (a batch create's assigned tickets, a bulk assign): one insert for their jobs.
  events.subscribeRun('ticket.assigned', async (run, db) => {
    const due = run.filter((e) => !isImported(e.payload) && (e.payload as EventPayload<'ticket.assigned'>).to);
    if (!due.length) return;
    const ctx = { actor: systemActor('notifications'), requestId: due[0]!.id, now: new Date(toIso(due[0]!.createdAt)), db, events };
    const jobs = due.map((event) => ({ payload: { event: 'ticket.assigned' as const, eventId: event.id, at: toIso(event.createdAt), payload: event.payload as Record<string, unknown> }, runAt: new Date(toIso(event.createdAt)), uniqueKey: `notify:${event.id}` }));
    await enqueueMany(ctx, notifyJob, jobs);
  });
  events.subscribe('ticket.deleted', async (event, db) => {
    const p = event.payload as EventPayload<'ticket.deleted'>;
    const ctx = { actor: systemActor('notifications'), requestId: event.id, now: new Date(toIso(event.createdAt)), db, events };
    await forgetTicketNotifications(ctx, p.ticketId);
  });
  for (const name of NOTIFY_EVENTS) {
    if (name === 'ticket.assigned') continue;
    events.subscribe(name, async (event, db) => {
      const payload = event.payload as EventPayload<typeof name> & Record<string, unknown>;
      // Imported history: the customer wrote in 2019, nobody needs to hear of it now.
      if (isImported(payload)) return;
      if (name === 'message.created') {
        const m = payload as EventPayload<'message.created'>;
        // A ticket's opening message tells nobody: an assignee hears of the new ticket as assigned.
        if (m.kind === 'reply' || (m.kind === 'note' && m.mentions.length === 0) || (m.kind === 'customer' && m.opening)) return;
      }
      const at = toIso(event.createdAt);
      const ctx = { actor: systemActor('notifications'), requestId: event.id, now: new Date(at), db, events };
      // A customer's message is for the assignee only: most mail opens a new, unassigned ticket,
      // and a read here spares it a job that would find no one to tell.
      if (name === 'message.created' && (payload as EventPayload<'message.created'>).kind === 'customer') {
        if (!(await ticketAssignee(ctx, payload.ticketId))) return;
      }
      await enqueue(ctx, notifyJob, { event: name, eventId: event.id, at, payload }, { uniqueKey: `notify:${event.id}` });
    });
  }
}
