import { z } from 'zod';
import type { EventPayload } from '../../../contracts/events.js';
import { WEBHOOK_EVENTS } from '../../../contracts/integrations.js';
import { systemActor, type Ctx } from '../../platform/context.js';
import type { EventDispatcher } from '../../platform/events/dispatcher.js';
import { uuidv7 } from '../../platform/ids.js';
import { defineJob, enqueue } from '../../platform/jobs/define-job.js';
import { toIso } from '../../platform/db/rows.js';
import type { AnyDb } from '../../platform/db/database.js';
import { onceInTransaction } from '../../platform/db/transaction-memo.js';
import { attemptDelivery } from './webhook-delivery.js';
import { findWebhook, listWebhookRows, pruneDeliveries } from './webhooks.repository.js';

const payload = z.object({
  webhookId: z.string(),
  deliveryId: z.string(),
  envelope: z.object({ id: z.string(), event: z.string(), createdAt: z.string(), data: z.unknown() }),
});

/**
 * Delivers one event to one webhook. A failed attempt throws so the job runner retries it with
 * backoff (30 s, 2 min, 8 min, 32 min, about 2 h); a refused target is not retried. Runs outside
 * a transaction: it waits on the network.
 */
export const deliverWebhookJob = defineJob({
  name: 'integrations.webhook-deliver',
  payload,
  attempts: 6,
  backoffMs: (n) => Math.min(6 * 3600_000, 30_000 * 4 ** (n - 1)),
  ownTransactions: true,
  lane: 'webhooks',
  handler: async (ctx, p) => {
    const hook = await findWebhook(ctx.db, p.webhookId);
    if (!hook || !hook.active) return;
    const d = await attemptDelivery(ctx, hook, p.deliveryId, { ...p.envelope, data: p.envelope.data ?? null });
    if (d.status === 'failed') throw new Error(d.error ?? 'delivery failed');
  },
});

/** The delivery log keeps 30 days. */
export const pruneWebhookLogJob = defineJob({
  name: 'integrations.webhook-log-prune',
  payload: z.object({}),
  handler: async (ctx) => {
    await pruneDeliveries(ctx.db, new Date(ctx.now.getTime() - 30 * 86400_000).toISOString());
  },
});

const offered = new Set<string>(WEBHOOK_EVENTS);

type Envelope = z.infer<typeof payload>['envelope'];

async function enqueueDelivery(db: AnyDb, events: EventDispatcher, hookId: string, envelope: Envelope): Promise<void> {
  const at = new Date(envelope.createdAt);
  const ctx: Ctx = { actor: systemActor('webhooks'), requestId: envelope.id, now: at, db, events };
  const deliveryId = uuidv7(at.getTime());
  await enqueue(ctx, deliverWebhookJob, { webhookId: hookId, deliveryId, envelope }, { uniqueKey: `webhook:${hookId}:${envelope.id}` });
}

/** Every offered event becomes one delivery job per active webhook subscribed to it. */
export function registerWebhookSubscribers(events: EventDispatcher): void {
  events.subscribe('*', async (event, db) => {
    if (!offered.has(event.name)) return;
    const hooks = (await onceInTransaction(db, 'webhooks:active', () => listWebhookRows(db, { activeOnly: true }))).filter((h) => h.eventTypes.includes(event.name));
    const envelope = { id: event.id, event: event.name, createdAt: toIso(event.createdAt), data: event.payload };
    for (const hook of hooks) await enqueueDelivery(db, events, hook.id, envelope);
  });
  // A rule's "send a webhook" action names its webhook: delivered whatever events that webhook subscribes to.
  events.subscribe('automation.webhook', async (event, db) => {
    const p = event.payload as EventPayload<'automation.webhook'>;
    const hook = await findWebhook(db, p.webhookId);
    if (!hook?.active) return;
    await enqueueDelivery(db, events, hook.id, { id: event.id, event: 'automation.webhook', createdAt: toIso(event.createdAt), data: event.payload });
  });
}
