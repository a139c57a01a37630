import type { z } from 'zod';
import type { createWebhookRequest, updateWebhookRequest } from '../../../contracts/integrations.js';
import { recordAudit } from '../../platform/audit/audit.repository.js';
import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { AppError, conflict, notFound } from '../../platform/errors.js';
import { randomToken, uuidv7 } from '../../platform/ids.js';
import { requireAdmin } from '../auth/index.js';
import { checkTargetUrl, TargetRefusedError } from './safe-http.js';
import { attemptDelivery } from './webhook-delivery.js';
import { namedFew } from '../../platform/port.js';
import { webhookReferences } from './webhook-references.js';
import {
  deleteWebhookRow,
  findWebhook,
  insertWebhook,
  listDeliveries,
  listWebhookRows,
  readAllowPrivate,
  updateWebhookRow,
  writeAllowPrivate,
  type Webhook,
  type WebhookDelivery,
} from './webhooks.repository.js';

/** Refuses a target that is plainly not allowed now; the full check (DNS, redirects) runs on every delivery. */
export async function assertTarget(ctx: Ctx, url: string): Promise<void> {
  try {
    checkTargetUrl(url, await readAllowPrivate(ctx.db));
  } catch (err) {
    if (err instanceof TargetRefusedError) throw new AppError('target_refused', err.message, { fields: [{ path: 'url', message: err.message }] });
    throw err;
  }
}

export async function listWebhooks(ctx: Ctx): Promise<Webhook[]> {
  requireAdmin(ctx.actor);
  return listWebhookRows(ctx.db);
}

export async function getWebhook(ctx: Ctx, id: string): Promise<Webhook> {
  requireAdmin(ctx.actor);
  const hook = await findWebhook(ctx.db, id);
  if (!hook) throw notFound('Webhook');
  return hook;
}

export async function createWebhook(ctx: Ctx, input: z.output<typeof createWebhookRequest>): Promise<Webhook> {
  requireAdmin(ctx.actor);
  await assertTarget(ctx, input.url);
  const at = ctx.now.toISOString();
  const hook: Webhook = {
    id: uuidv7(ctx.now.getTime()),
    name: input.name,
    url: input.url,
    secret: input.secret ?? randomToken(32),
    eventTypes: [...new Set(input.eventTypes)],
    active: input.active,
    createdAt: at,
    updatedAt: at,
  };
  return inTransaction(ctx, async (tx) => {
    await insertWebhook(tx.db, hook);
    await recordAudit(tx, 'webhook.created', { type: 'webhook', id: hook.id }, { url: hook.url, eventTypes: hook.eventTypes });
    return hook;
  });
}

export async function updateWebhook(ctx: Ctx, id: string, input: z.output<typeof updateWebhookRequest>): Promise<Webhook> {
  const before = await getWebhook(ctx, id);
  if (input.url !== undefined) await assertTarget(ctx, input.url);
  const hook: Webhook = {
    ...before,
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.url !== undefined ? { url: input.url } : {}),
    ...(input.secret !== undefined ? { secret: input.secret } : {}),
    ...(input.eventTypes !== undefined ? { eventTypes: [...new Set(input.eventTypes)] } : {}),
    ...(input.active !== undefined ? { active: input.active } : {}),
    updatedAt: ctx.now.toISOString(),
  };
  return inTransaction(ctx, async (tx) => {
    await updateWebhookRow(tx.db, hook);
    await recordAudit(tx, 'webhook.updated', { type: 'webhook', id }, { changed: Object.keys(input) });
    return hook;
  });
}

export async function deleteWebhook(ctx: Ctx, id: string): Promise<void> {
  await getWebhook(ctx, id);
  await inTransaction(ctx, async (tx) => {
    // A rule's send-webhook action naming a deleted webhook would send nothing again: refused instead.
    const rules = await webhookReferences().rulesUsingWebhook(tx, id);
    if (rules.length > 0) throw conflict(`The webhook is used by automation rules (${namedFew(rules)}); change them first`, { ruleIds: rules.map((r) => r.id) });
    await deleteWebhookRow(tx.db, id);
    await recordAudit(tx, 'webhook.deleted', { type: 'webhook', id });
  });
}

/** Which of these webhooks exist and whether each is on: for rules that name one (automations, wired at start). */
export async function webhooksByIds(ctx: Ctx, ids: readonly string[]): Promise<{ id: string; active: boolean }[]> {
  const wanted = new Set(ids);
  return (await listWebhookRows(ctx.db)).filter((w) => wanted.has(w.id)).map((w) => ({ id: w.id, active: w.active }));
}

export async function webhookDeliveries(ctx: Ctx, id: string, limit: number): Promise<WebhookDelivery[]> {
  await getWebhook(ctx, id);
  return listDeliveries(ctx.db, id, limit);
}

/** Sends a `webhook.test` event now (not queued, not retried) and returns the logged attempt. */
export async function sendTestDelivery(ctx: Ctx, id: string): Promise<WebhookDelivery> {
  const hook = await getWebhook(ctx, id);
  const deliveryId = uuidv7(ctx.now.getTime());
  return attemptDelivery(ctx, hook, deliveryId, {
    id: deliveryId,
    event: 'webhook.test',
    createdAt: ctx.now.toISOString(),
    data: { webhookId: hook.id, message: 'This is a test delivery from Tessera.' },
  });
}

export async function getIntegrationSettings(ctx: Ctx): Promise<{ allowPrivateTargets: boolean }> {
  requireAdmin(ctx.actor);
  return { allowPrivateTargets: await readAllowPrivate(ctx.db) };
}

export async function updateIntegrationSettings(ctx: Ctx, input: { allowPrivateTargets: boolean }): Promise<{ allowPrivateTargets: boolean }> {
  requireAdmin(ctx.actor);
  await inTransaction(ctx, async (tx) => {
    await writeAllowPrivate(tx.db, input.allowPrivateTargets, tx.now.toISOString());
    await recordAudit(tx, 'integrations.settings_updated', null, input);
  });
  return { allowPrivateTargets: input.allowPrivateTargets };
}
