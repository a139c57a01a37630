import type { Kysely } from 'kysely';
import type { AnyDb } from '../../platform/db/database.js';
import { jsonParam, toBool, toIso, toJson } from '../../platform/db/rows.js';

interface WebhookTables {
  integration_settings: { id: string; allow_private_targets: number; updated_at: string };
  webhooks: { id: string; name: string; url: string; secret: string; event_types: unknown; active: number; created_at: string; updated_at: string };
  webhook_deliveries: {
    id: string;
    delivery_id: string;
    webhook_id: string;
    event_name: string;
    attempt: number;
    status: string;
    response_code: number | null;
    duration_ms: number;
    error: string | null;
    created_at: string;
  };
}
const q = (db: AnyDb) => db as Kysely<WebhookTables>;

export interface Webhook {
  id: string;
  name: string;
  url: string;
  secret: string;
  eventTypes: string[];
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export type DeliveryStatus = 'success' | 'failed' | 'refused';

export interface WebhookDelivery {
  id: string;
  deliveryId: string;
  webhookId: string;
  event: string;
  attempt: number;
  status: DeliveryStatus;
  responseCode: number | null;
  durationMs: number;
  error: string | null;
  createdAt: string;
}

const toWebhook = (r: WebhookTables['webhooks']): Webhook => ({
  id: r.id,
  name: r.name,
  url: r.url,
  secret: r.secret,
  eventTypes: toJson<string[]>(r.event_types, []),
  active: toBool(r.active),
  createdAt: toIso(r.created_at),
  updatedAt: toIso(r.updated_at),
});

const toRow = (w: Webhook): WebhookTables['webhooks'] => ({
  id: w.id,
  name: w.name,
  url: w.url,
  secret: w.secret,
  event_types: jsonParam(w.eventTypes),
  active: w.active ? 1 : 0,
  created_at: w.createdAt,
  updated_at: w.updatedAt,
});

export async function insertWebhook(db: AnyDb, w: Webhook): Promise<void> {
  await q(db).insertInto('webhooks').values(toRow(w)).execute();
}

export async function updateWebhookRow(db: AnyDb, w: Webhook): Promise<void> {
  const { id: _id, created_at: _c, ...rest } = toRow(w);
  await q(db).updateTable('webhooks').set(rest).where('id', '=', w.id).execute();
}

export async function deleteWebhookRow(db: AnyDb, id: string): Promise<void> {
  await q(db).deleteFrom('webhook_deliveries').where('webhook_id', '=', id).execute();
  await q(db).deleteFrom('webhooks').where('id', '=', id).execute();
}

export async function findWebhook(db: AnyDb, id: string): Promise<Webhook | undefined> {
  const r = await q(db).selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toWebhook(r) : undefined;
}

/** All webhooks; admins keep a handful, so subscribers filter by event in memory. */
export async function listWebhookRows(db: AnyDb, opts: { activeOnly?: boolean } = {}): Promise<Webhook[]> {
  let query = q(db).selectFrom('webhooks').selectAll().orderBy('created_at').orderBy('id');
  if (opts.activeOnly) query = query.where('active', '=', 1);
  return (await query.execute()).map(toWebhook);
}

export async function insertDelivery(db: AnyDb, d: WebhookDelivery): Promise<void> {
  await q(db)
    .insertInto('webhook_deliveries')
    .values({
      id: d.id,
      delivery_id: d.deliveryId,
      webhook_id: d.webhookId,
      event_name: d.event,
      attempt: d.attempt,
      status: d.status,
      response_code: d.responseCode,
      duration_ms: d.durationMs,
      error: d.error,
      created_at: d.createdAt,
    })
    .execute();
}

export async function countAttempts(db: AnyDb, deliveryId: string): Promise<number> {
  const r = await q(db).selectFrom('webhook_deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('delivery_id', '=', deliveryId).executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** The delivery log of one webhook, newest attempt first (ids are time-ordered). */
export async function listDeliveries(db: AnyDb, webhookId: string, limit: number): Promise<WebhookDelivery[]> {
  const rows = await q(db).selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', webhookId).orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => ({
    id: r.id,
    deliveryId: r.delivery_id,
    webhookId: r.webhook_id,
    event: r.event_name,
    attempt: Number(r.attempt),
    status: r.status as DeliveryStatus,
    responseCode: r.response_code === null ? null : Number(r.response_code),
    durationMs: Number(r.duration_ms),
    error: r.error,
    createdAt: toIso(r.created_at),
  }));
}

export async function readAllowPrivate(db: AnyDb): Promise<boolean> {
  const r = await q(db).selectFrom('integration_settings').select('allow_private_targets').where('id', '=', 'default').executeTakeFirst();
  return r ? toBool(r.allow_private_targets) : false;
}

export async function writeAllowPrivate(db: AnyDb, allow: boolean, at: string): Promise<void> {
  await q(db)
    .insertInto('integration_settings')
    .values({ id: 'default', allow_private_targets: allow ? 1 : 0, updated_at: at })
    .onConflict((oc) => oc.column('id').doUpdateSet({ allow_private_targets: allow ? 1 : 0, updated_at: at }))
    .execute();
}

/** Drops log rows older than the cut-off. */
export async function pruneDeliveries(db: AnyDb, before: string): Promise<void> {
  await q(db).deleteFrom('webhook_deliveries').where('created_at', '<', before).execute();
}
