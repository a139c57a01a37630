import { z } from 'zod';
import { isoDateTime, uuid } from './common.js';

/** Mail to customers: the layout around every mail, and one template per occasion. */
export const CUSTOMER_TEMPLATE_KEYS = ['layout', 'acknowledgement', 'reply', 'status_waiting', 'status_resolved', 'status_closed'] as const;
/** The occasions that can be switched off (the layout is not an occasion). */
export const CUSTOMER_NOTIFICATION_KEYS = ['acknowledgement', 'reply', 'status_waiting', 'status_resolved', 'status_closed'] as const;

export const customerTemplateKey = z.enum(CUSTOMER_TEMPLATE_KEYS);
export type CustomerTemplateKey = z.infer<typeof customerTemplateKey>;
export type CustomerNotificationKey = (typeof CUSTOMER_NOTIFICATION_KEYS)[number];

export const templateKeyParams = z.object({ key: customerTemplateKey });

const liquid = (max: number) => z.string().max(max);

export const customerTemplateResponse = z.object({
  key: customerTemplateKey,
  subject: z.string().describe('Liquid; the layout has none. The ticket token [#N] is added when missing'),
  html: z.string().describe('Liquid; output is HTML-escaped unless piped through | raw'),
  text: z.string().describe('Liquid; the plain-text alternative. Empty: made from the HTML'),
  customized: z.boolean().describe('false: the built-in default'),
  updatedAt: isoDateTime.nullable(),
  variables: z.array(z.string()).describe('Variables the template can use'),
});

export const updateCustomerTemplateRequest = z.strictObject({
  subject: liquid(1000).default(''),
  html: liquid(200_000),
  text: liquid(100_000).default(''),
});

export const previewTemplateRequest = z.strictObject({
  subject: liquid(1000).optional().describe('Unsaved text to try; the stored template is used for what is left out'),
  html: liquid(200_000).optional(),
  text: liquid(100_000).optional(),
  ticketNumber: z.number().int().positive().optional().describe('Render with this ticket; sample data without it'),
  mailboxId: uuid.optional().describe('Render with this mailbox brand; the ticket\'s (or the first) mailbox without it'),
});

const address = z.object({ name: z.string(), address: z.string() });

export const renderedPreviewResponse = z.object({
  subject: z.string(),
  html: z.string(),
  text: z.string(),
  from: address.nullable(),
  replyTo: address.nullable(),
  to: z.array(address),
  cc: z.array(address),
});

const switches = z.object(Object.fromEntries(CUSTOMER_NOTIFICATION_KEYS.map((k) => [k, z.boolean()])) as Record<CustomerNotificationKey, z.ZodBoolean>);

export const customerNotificationSettingsResponse = z.object({
  global: switches,
  mailboxes: z.array(z.object({ mailboxId: uuid, overrides: switches.partial(), effective: switches })),
});

export const updateCustomerNotificationSettingsRequest = z.strictObject({
  mailboxId: uuid.nullable().default(null).describe('null: the global switches; a mailbox id: overrides for that mailbox'),
  enabled: z
    .strictObject(Object.fromEntries(CUSTOMER_NOTIFICATION_KEYS.map((k) => [k, z.boolean().nullable().optional()])) as Record<CustomerNotificationKey, z.ZodOptional<z.ZodNullable<z.ZodBoolean>>>)
    .describe('true/false switches; null removes a mailbox override (the global switch applies again)'),
});

const word = z.string().trim().min(1).max(100).regex(/^[^\r\n\t]+$/, 'one word or phrase per entry, on one line');

export const restrictedWordsResponse = z.object({ words: z.array(z.string()) });
export const updateRestrictedWordsRequest = z.strictObject({ words: z.array(word).max(2000) });

export const replyPreviewRequest = z.strictObject({
  body: z.string().min(1).max(1_000_000),
  format: z.enum(['text', 'html']).default('text'),
  setStatus: z.enum(['open', 'in_progress', 'waiting', 'resolved', 'closed']).optional(),
});

export const replyPreviewResponse = renderedPreviewResponse.extend({
  willSend: z.boolean().describe('false when no mail would go out: no mailbox, no customer address, or replies switched off'),
  reason: z.string().nullable(),
  restrictedWords: z.array(z.object({ word: z.string(), count: z.number().int(), where: z.array(z.enum(['subject', 'body'])) })),
});
