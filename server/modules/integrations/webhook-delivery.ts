import { createHmac } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Ctx } from '../../platform/context.js';
import { uuidv7 } from '../../platform/ids.js';
import { safeRequest, TargetRefusedError } from './safe-http.js';
import { countAttempts, insertDelivery, readAllowPrivate, type Webhook, type WebhookDelivery } from './webhooks.repository.js';

/** What a receiver gets: the event's id (for deduplication), its name, when it happened, and its payload. */
export interface WebhookEnvelope {
  id: string;
  event: string;
  createdAt: string;
  data: unknown;
}

/** `sha256=<hex>` over "<timestamp>.<body>": the timestamp is signed too, so receivers can refuse replays. */
export function signBody(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * One attempt to deliver an event to a webhook, recorded in the delivery log whatever happens.
 * The body is the same on every attempt (built from the envelope); the timestamp is the attempt's.
 */
export async function attemptDelivery(ctx: Ctx, hook: Webhook, deliveryId: string, envelope: WebhookEnvelope): Promise<WebhookDelivery> {
  const body = JSON.stringify(envelope);
  const timestamp = String(Math.floor(ctx.now.getTime() / 1000));
  const attempt = (await countAttempts(ctx.db, deliveryId)) + 1;
  const allowPrivate = await readAllowPrivate(ctx.db);
  const started = performance.now();
  let status: WebhookDelivery['status'] = 'failed';
  let responseCode: number | null = null;
  let error: string | null = null;
  try {
    const res = await safeRequest({
      url: hook.url,
      method: 'POST',
      allowPrivate,
      body,
      headers: {
        'content-type': 'application/json',
        'x-tessera-event': envelope.event,
        'x-tessera-delivery': deliveryId,
        'x-tessera-timestamp': timestamp,
        'x-tessera-signature': signBody(hook.secret, timestamp, body),
      },
    });
    responseCode = res.status;
    if (res.status >= 200 && res.status < 300) status = 'success';
    else error = `HTTP ${res.status}${res.body ? `: ${res.body.slice(0, 200)}` : ''}`;
  } catch (err) {
    status = err instanceof TargetRefusedError ? 'refused' : 'failed';
    error = err instanceof Error ? err.message : String(err);
  }
  const delivery: WebhookDelivery = {
    id: uuidv7(ctx.now.getTime()),
    deliveryId,
    webhookId: hook.id,
    event: envelope.event,
    attempt,
    status,
    responseCode,
    durationMs: Math.round(performance.now() - started),
    error,
    createdAt: ctx.now.toISOString(),
  };
  await insertDelivery(ctx.db, delivery);
  return delivery;
}
