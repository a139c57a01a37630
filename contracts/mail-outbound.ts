import { z } from 'zod';
import { isoDateTime, uuid } from './common.js';

export const OUTBOUND_KINDS = ['reply', 'acknowledgement', 'status_waiting', 'status_resolved', 'status_closed', 'automation', 'agent_notification'] as const;
export const OUTBOUND_STATUSES = ['queued', 'sent', 'failed', 'suppressed'] as const;

const address = z.object({ name: z.string(), address: z.string() });

export const mailDeliveryResponse = z.object({
  id: uuid,
  kind: z.enum(OUTBOUND_KINDS),
  ticketMessageId: uuid.nullable().describe('The ticket message this mail carries (replies)'),
  messageId: z.string().describe('Our Message-ID header'),
  from: z.string(),
  to: z.array(address),
  cc: z.array(address),
  subject: z.string(),
  automatic: z.boolean().describe('Acknowledgements and status notices: Auto-Submitted, rate-limited'),
  status: z.enum(OUTBOUND_STATUSES).describe('queued (waiting for an attempt), sent (taken by the relay or kept in the local outbox), failed (refused, attempts used up, or bounced), suppressed (never sent: rate limit)'),
  transport: z.enum(['smtp', 'local']).nullable(),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  lastErrorAt: isoDateTime.nullable(),
  smtpResponse: z.string().nullable(),
  queuedAt: isoDateTime,
  sentAt: isoDateTime.nullable(),
  failedAt: isoDateTime.nullable(),
});
export type MailDeliveryResponse = z.infer<typeof mailDeliveryResponse>;

export const renderedMail = z.object({
  from: address.nullable(),
  replyTo: z.array(address),
  to: z.array(address),
  cc: z.array(address),
  subject: z.string(),
  date: z.string().nullable(),
  inReplyTo: z.array(z.string()),
  references: z.array(z.string()),
  autoSubmitted: z.string().nullable(),
  text: z.string().nullable(),
  html: z.string().nullable().describe('As sent; render it sandboxed'),
  attachments: z.array(z.object({ filename: z.string(), contentType: z.string(), size: z.number().int() })),
});

export const outboxItemResponse = mailDeliveryResponse.extend({
  ticketNumber: z.number().int().nullable(),
  raw: z.string().describe('The whole message as it would have gone to the relay'),
  rendered: renderedMail,
});

export const outboxQuery = z.object({
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
