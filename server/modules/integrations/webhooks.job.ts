import { z } from 'zod';
import { WEBHOOK_EVENTS } from '../../../contracts/integrations.js';
import { systemActor, type Ctx } from '../../platform/context.js';
import type { EventDispatcher } from '../../platform/events/dispatcher.js';
import { uuidv7 } from '../../platform/ids.js';
import { defineJob, enqueue } from '../../platform/jobs/define-job.js';
import { toIso } from '../../platform/db/rows.js';
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

/** Every offered event becomes one delivery job per active webhook subscribed to it. */
export function registerWebhookSubscribers(events: EventDispatcher): void {
  events.subscribe('*', async (event, db) => {
    if (!offered.has(event.name)) return;
    const hooks = (await listWebhookRows(db, { activeOnly: true })).filter((h) => h.eventTypes.includes(event.name));
    if (hooks.length === 0) return;
    const at = new Date(toIso(event.createdAt));
    const ctx: Ctx = { actor: systemActor('webhooks'), requestId: event.id, now: at, db, events };
    for (const hook of hooks) {
      const deliveryId = uuidv7(at.getTime());
      const envelope = { id: event.id, event: event.name, createdAt: at.toISOString(), data: event.payload };
      await enqueue(ctx, deliverWebhookJob, { webhookId: hook.id, deliveryId, envelope }, { uniqueKey: `webhook:${hook.id}:${event.id}` });
    }
  });
}
