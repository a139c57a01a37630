import { z } from 'zod';
import { isImported, type EventPayload } from '../../../contracts/events.js';
import { systemActor } from '../../platform/context.js';
import { toIso } from '../../platform/db/rows.js';
import type { EventDispatcher } from '../../platform/events/dispatcher.js';
import { defineJob, enqueue, type JobDefinition } from '../../platform/jobs/define-job.js';
import type { JobRunner } from '../../platform/jobs/job-runner.js';
import { sendSurvey } from './csat.service.js';

const payload = z.object({ ticketId: z.string() });
const NAME = 'csat.survey';

const surveyJob = (publicUrl: string): JobDefinition<typeof payload> => defineJob({ name: NAME, payload, handler: (ctx, p) => sendSurvey(ctx, { publicUrl }, p.ticketId) });
// The shape subscribers enqueue with; the runner runs the definition bound to the public URL.
const surveyShape = surveyJob('');

export function registerCsatJobs(jobs: JobRunner, deps: { config: { publicUrl: string } }): void {
  jobs.register(surveyJob(deps.config.publicUrl));
}

/**
 * A ticket resolved: its survey is made by a job (which checks again that it is still resolved).
 * Not for imported history: that resolution is not news to the customer.
 */
export function registerCsatSubscribers(events: EventDispatcher): void {
  events.subscribe('ticket.status_changed', async (event, db) => {
    const p = event.payload as EventPayload<'ticket.status_changed'>;
    if (p.to !== 'resolved' || isImported(p)) return;
    const ctx = { actor: systemActor('csat'), requestId: event.id, now: new Date(toIso(event.createdAt)), db, events };
    await enqueue(ctx, surveyShape, { ticketId: p.ticketId }, { uniqueKey: `csat-survey:${p.ticketId}` });
  });
}
