import { z } from 'zod';
import { isoDateTime } from './common.js';

/** SMS/social channel settings (admin). The provider's auth token is write-only. */
export const smsSettingsResponse = z.object({
  enabled: z.boolean(),
  adapter: z.literal('twilio'),
  accountSid: z.string(),
  fromNumber: z.string(),
  apiBaseUrl: z.string(),
  authTokenSet: z.boolean(),
  /** The URL to give the provider for inbound messages (the signature covers it exactly). */
  inboundUrl: z.string(),
});
export type SmsSettingsResponse = z.infer<typeof smsSettingsResponse>;

export const updateSmsSettingsRequest = z.strictObject({
  enabled: z.boolean().optional(),
  accountSid: z.string().trim().max(100).optional(),
  fromNumber: z.string().trim().max(40).optional(),
  apiBaseUrl: z
    .string()
    .trim()
    .url()
    .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL')
    .optional(),
  authToken: z.string().min(1).max(200).optional(),
});

/** One SMS of a ticket: what went where and whether the provider took it. */
export const smsMessageResponse = z.object({
  id: z.string(),
  direction: z.enum(['inbound', 'outbound']),
  messageId: z.string().nullable(),
  customerNumber: z.string(),
  ourNumber: z.string(),
  externalId: z.string().nullable(),
  status: z.enum(['received', 'queued', 'sent', 'failed']),
  lastError: z.string().nullable(),
  attempts: z.number().int(),
  createdAt: isoDateTime,
});
