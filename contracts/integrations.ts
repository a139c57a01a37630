import { z } from 'zod';
import { isoDateTime, uuid } from './common.js';

/** Domain events an outgoing webhook can subscribe to (internal ones such as notifications are not offered). */
export const WEBHOOK_EVENTS = [
  'ticket.created',
  'ticket.updated',
  'ticket.status_changed',
  'ticket.assigned',
  'ticket.merged',
  'ticket.deleted',
  'message.created',
  'contact.updated',
  'sla.warning',
  'sla.breached',
  'csat.rated',
] as const;
export const webhookEventName = z.enum(WEBHOOK_EVENTS);

/**
 * An address the server calls. It must name its host right after `scheme://`: a URL parser reads
 * `https:///nohost` (and `https:nohost`) as https://nohost/, so such a typo was stored as sent
 * and called something else than what the admin sees.
 */
const targetUrl = z
  .string()
  .trim()
  .url()
  .max(2000)
  .refine((u) => /^[a-z][a-z0-9+.-]*:\/\/[^/\\?#\s]/i.test(u), 'must name a host, as in https://example.com/hook');

export const webhookIdParams = z.object({ id: uuid });

export const createWebhookRequest = z.strictObject({
  name: z.string().trim().min(1).max(200),
  url: targetUrl,
  secret: z.string().min(16).max(200).optional().describe('HMAC key; generated when left out'),
  eventTypes: z.array(webhookEventName).min(1),
  active: z.boolean().default(true),
});
export const updateWebhookRequest = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  url: targetUrl.optional(),
  secret: z.string().min(16).max(200).optional(),
  eventTypes: z.array(webhookEventName).min(1).optional(),
  active: z.boolean().optional(),
});

export const webhookResponse = z.object({
  id: uuid,
  name: z.string(),
  url: z.string(),
  secret: z.string().describe('Signs each delivery: X-Tessera-Signature = "sha256=" + hex HMAC-SHA256 of "<X-Tessera-Timestamp>.<body>"'),
  eventTypes: z.array(z.string()),
  active: z.boolean(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});

export const webhookDeliveryResponse = z.object({
  id: uuid,
  deliveryId: z.string().describe('Shared by the attempts of one event'),
  webhookId: uuid,
  event: z.string(),
  attempt: z.number().int(),
  status: z.enum(['success', 'failed', 'refused']).describe('refused: the target is not allowed; not retried'),
  responseCode: z.number().int().nullable(),
  durationMs: z.number().int(),
  error: z.string().nullable(),
  createdAt: isoDateTime,
});

export const integrationSettingsResponse = z.object({
  allowPrivateTargets: z.boolean().describe('Allow webhooks and trackers on private, loopback and link-local addresses (intranet targets)'),
});
export const updateIntegrationSettingsRequest = z.strictObject({ allowPrivateTargets: z.boolean() });

/** Issue trackers: a generic HTTP integration whose request bodies are Liquid templates. */
export const createTrackerRequest = z.strictObject({
  name: z.string().trim().min(1).max(200),
  createUrl: targetUrl,
  createTemplate: z.string().min(1).max(20_000).describe('Liquid, rendered with ticket, message (the first), agent and note; the JSON request body'),
  commentUrl: z.string().trim().max(2000).nullable().default(null).describe('Liquid, e.g. https://tracker/api/issues/{{ external.id }}/comments'),
  commentTemplate: z.string().max(20_000).nullable().default(null).describe('Liquid, rendered with ticket, external, comment and agent'),
  headers: z.record(z.string(), z.string().max(2000)).default({}).describe('Extra request headers, e.g. Authorization'),
  idPath: z.string().min(1).max(200).default('id').describe('Dot path of the issue id in the tracker\'s JSON answer'),
  urlPath: z.string().max(200).nullable().default(null).describe('Dot path of the issue link in the answer'),
  inboundSecret: z.string().min(16).max(200).optional().describe('HMAC key of status updates sent back; generated when left out'),
  active: z.boolean().default(true),
});
export const trackerResponse = z.object({
  id: uuid,
  name: z.string(),
  createUrl: z.string(),
  createTemplate: z.string(),
  commentUrl: z.string().nullable(),
  commentTemplate: z.string().nullable(),
  headers: z.record(z.string(), z.string()),
  idPath: z.string(),
  urlPath: z.string().nullable(),
  inboundSecret: z.string(),
  inboundUrl: z.string().describe('Where the tracker posts status updates, signed like outgoing webhooks'),
  active: z.boolean(),
  createdAt: isoDateTime,
});

export const TRANSFER_STATUSES = ['transferred', 'in_progress', 'resolved'] as const;
export const transferResponse = z.object({
  ticketId: uuid,
  number: z.number().int(),
  trackerId: uuid,
  trackerName: z.string(),
  externalId: z.string(),
  externalUrl: z.string().nullable(),
  externalStatus: z.enum(TRANSFER_STATUSES),
  transferredBy: z.string().nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export const transferRequest = z.strictObject({ trackerId: uuid, note: z.string().max(10_000).default('') });
export const transferCommentRequest = z.strictObject({ body: z.string().trim().min(1).max(20_000) });
export const inboundStatusRequest = z.object({ externalId: z.string().min(1).max(200), status: z.enum(TRANSFER_STATUSES) });
export const escalateRequest = z.strictObject({ groupId: uuid, note: z.string().trim().min(1).max(10_000) });
