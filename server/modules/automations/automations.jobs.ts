import { z } from 'zod';
import { isImported, type EventPayload } from '../../../contracts/events.js';
import { systemActor, type Ctx } from '../../platform/context.js';
import { toIso } from '../../platform/db/rows.js';
import { onceInTransaction } from '../../platform/db/transaction-memo.js';
import type { EventDispatcher } from '../../platform/events/dispatcher.js';
import type { OutboxEvent } from '../../platform/events/outbox.repository.js';
import { defineJob, enqueue } from '../../platform/jobs/define-job.js';
import type { JobRunner } from '../../platform/jobs/job-runner.js';
import { findChangeActor } from '../tickets/index.js';
import { listRuleRows } from './automations.repository.js';
import { ruleRunsOn, runRulesForEvent, type RuleEvent } from './rule-engine.service.js';
import { sweepTimeRules } from './time-rules.service.js';

const RULE_EVENTS = ['ticket.created', 'ticket.updated', 'ticket.status_changed', 'ticket.priority_changed', 'message.received', 'sla.warning', 'sla.breached'] as const;

/**
 * Events older than this when their job runs are history (tickets imported with their original
 * timestamps, a worker that was down for days): rules do not route or answer them.
 */
const STALE_MS = 86400_000;

export const runRulesJob = defineJob({
  name: 'automations.run-rules',
  payload: z.object({ ticketId: z.string(), event: z.enum(RULE_EVENTS), eventId: z.string(), at: z.string(), messageId: z.string().optional() }),
  handler: async (ctx, p) => {
    if (ctx.now.getTime() - Date.parse(p.at) > STALE_MS) return;
    await runRulesForEvent(ctx, { ticketId: p.ticketId, event: p.event, cause: p.eventId, messageId: p.messageId });
  },
});

export const sweepJob = defineJob({
  name: 'automations.sweep',
  payload: z.object({}).passthrough(),
  // Each ticket's actions commit on their own: a long sweep never holds the one SQLite writer.
  ownTransactions: true,
  attempts: 1,
  handler: async (ctx) => {
    await sweepTimeRules({ ...ctx, actor: systemActor('automations') });
  },
});

export function registerAutomationJobs(jobs: JobRunner, deps: { config: { sweepMs: number } }): void {
  jobs.register(runRulesJob);
  jobs.every(sweepJob, deps.config.sweepMs);
}

const ctxOf = (event: OutboxEvent, db: Ctx['db'], events: EventDispatcher): Ctx => ({ actor: systemActor('automations'), requestId: event.id, now: new Date(toIso(event.createdAt)), db, events });

/** A change a rule made (its ticket event's actor is `rule:<id>`) never starts another run: no loops. */
async function madeByRule(ctx: Ctx, ticketId: string, action: string): Promise<boolean> {
  const actor = await findChangeActor(ctx.db, ticketId, action, ctx.now.toISOString());
  return actor?.actorType === 'system' && (actor.actorId ?? '').startsWith('rule:');
}

async function queueRun(ctx: Ctx, event: OutboxEvent, ticketId: string, name: RuleEvent, messageId?: string): Promise<void> {
  // Imported history is not news: rules route and answer what happens now (STALE_MS only
  // catches old history; an import of yesterday's tickets is marked).
  if (isImported(event.payload)) return;
  // No job per ticket change when no active rule listens to the event (the rule table is small).
  const rules = await onceInTransaction(ctx.db, 'automations:active-rules', () => listRuleRows(ctx.db, { kinds: ['routing', 'trigger'], activeOnly: true }));
  if (!rules.some((r) => ruleRunsOn(r, name))) return;
  await enqueue(ctx, runRulesJob, { ticketId, event: name, eventId: event.id, at: ctx.now.toISOString(), ...(messageId ? { messageId } : {}) }, { uniqueKey: `automations:${name}:${event.id}` });
}

/** Rules run in a job after the change commits; these subscribers only enqueue it. */
export function registerAutomationSubscribers(events: EventDispatcher): void {
  events.subscribe('ticket.created', async (event, db) => {
    const p = event.payload as EventPayload<'ticket.created'>;
    await queueRun(ctxOf(event, db, events), event, p.ticketId, 'ticket.created');
  });
  events.subscribe('ticket.updated', async (event, db) => {
    const p = event.payload as EventPayload<'ticket.updated'>;
    const ctx = ctxOf(event, db, events);
    if (p.changes.length === 0 || (await madeByRule(ctx, p.ticketId, p.changes[0]!))) return;
    await queueRun(ctx, event, p.ticketId, 'ticket.updated');
    if (p.changes.includes('priority_changed')) await queueRun(ctx, event, p.ticketId, 'ticket.priority_changed');
  });
  events.subscribe('ticket.status_changed', async (event, db) => {
    const p = event.payload as EventPayload<'ticket.status_changed'>;
    const ctx = ctxOf(event, db, events);
    if (await madeByRule(ctx, p.ticketId, 'status_changed')) return;
    await queueRun(ctx, event, p.ticketId, 'ticket.status_changed');
  });
  events.subscribe('message.created', async (event, db) => {
    const p = event.payload as EventPayload<'message.created'>;
    if (p.kind !== 'customer') return;
    await queueRun(ctxOf(event, db, events), event, p.ticketId, 'message.received', p.messageId);
  });
  for (const name of ['sla.warning', 'sla.breached'] as const) {
    events.subscribe(name, async (event, db) => {
      const p = event.payload as EventPayload<typeof name>;
      await queueRun(ctxOf(event, db, events), event, p.ticketId, name);
    });
  }
}
