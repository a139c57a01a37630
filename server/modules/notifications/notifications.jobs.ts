import { z } from 'zod';
import { isImported, type EventPayload } from '../../../contracts/events.js';
import { systemActor } from '../../platform/context.js';
import type { EventDispatcher } from '../../platform/events/dispatcher.js';
import { defineJob, enqueue } from '../../platform/jobs/define-job.js';
import type { JobRunner } from '../../platform/jobs/job-runner.js';
import { toIso } from '../../platform/db/rows.js';
import { ticketAssignee } from '../tickets/index.js';
import { NOTIFY_EVENTS, notifyFor, type NotifyCause } from './notification-rules.js';

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
  for (const name of NOTIFY_EVENTS) {
    events.subscribe(name, async (event, db) => {
      const payload = event.payload as EventPayload<typeof name> & Record<string, unknown>;
      // Imported history: the customer wrote in 2019, nobody needs to hear of it now.
      if (isImported(payload)) return;
      if (name === 'ticket.assigned' && !(payload as EventPayload<'ticket.assigned'>).to) return;
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
