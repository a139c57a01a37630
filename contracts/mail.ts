import { z } from 'zod';
import { email, isoDateTime, uuid } from './common.js';

export const MAIL_SOURCES = ['smtp', 'api', 'pipe', 'imap'] as const;
export const INBOUND_STATUSES = ['pending', 'processed', 'quarantined', 'duplicate', 'ignored'] as const;
export const MAIL_KINDS = ['message', 'out_of_office', 'auto_reply', 'bounce', 'delivery_report', 'bulk'] as const;
export const IMAP_STATES = ['idle', 'ok', 'auth_failed', 'error'] as const;

const brandName = z.string().trim().max(100);
const logoUrl = z
  .string()
  .trim()
  .url()
  .max(2000)
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL')
  .nullable();
const colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour such as #1a73e8');
const signature = z.string().max(5000);

const brandSchema = z.strictObject({ name: brandName.default(''), logoUrl: logoUrl.default(null), colour: colour.default('#1f6feb'), signature: signature.default('') });
// Without defaults: a patch changes only the fields it names.
const brandPatch = z.strictObject({ name: brandName.optional(), logoUrl: logoUrl.optional(), colour: colour.optional(), signature: signature.optional() });

const mailboxAddress = email.refine((a) => !a.split('@')[0]!.includes('+'), 'must not contain "+" (reply addresses use it)');

/**
 * The IMAP server: a host name or an IP address, nothing else. A scheme, a port (the port has
 * its own field) or a space was saved and failed only when polled, as a lookup of a name that
 * cannot exist.
 */
const hostLabel = '[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?';
const hostName = new RegExp(`^${hostLabel}(?:\\.${hostLabel})*\\.?$`, 'i');
const ipv6 = z.ipv6();
const imapHost = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .refine((h) => hostName.test(h) || ipv6.safeParse(h).success, 'must be a host name or IP address, without a scheme or port (imap.example.com)');

const imapSettings = z.strictObject({
  host: imapHost.nullable().default(null),
  port: z.number().int().min(1).max(65535).nullable().default(null),
  tls: z.boolean().default(true).describe('Implicit TLS (IMAPS, port 993 by default); false connects in plain text (port 143), only for a trusted network'),
  tlsVerify: z.boolean().default(true).describe('Verify the server certificate. Turning it off exposes the password and mail to anyone on the path; the API warns while it is off'),
  user: z.string().max(320).nullable().default(null),
  password: z.string().max(1000).nullable().default(null).describe('Write-only; never returned'),
  folder: z.string().trim().min(1).max(255).default('INBOX'),
  keepOnServer: z.boolean().default(true),
  enabled: z.boolean().default(false),
});

export const createMailboxRequest = z.strictObject({
  address: mailboxAddress,
  displayName: z.string().trim().min(1).max(200),
  brand: brandSchema.default({ name: '', logoUrl: null, colour: '#1f6feb', signature: '' }),
  defaultGroupId: uuid.nullable().default(null),
  active: z.boolean().default(true),
  imap: imapSettings.optional(),
});

export const updateMailboxRequest = z.strictObject({
  address: mailboxAddress.optional(),
  displayName: z.string().trim().min(1).max(200).optional(),
  brand: brandPatch.optional(),
  defaultGroupId: uuid.nullable().optional(),
  active: z.boolean().optional(),
  imap: z
    .strictObject({
      host: imapHost.nullable().optional(),
      port: z.number().int().min(1).max(65535).nullable().optional(),
      tls: z.boolean().optional(),
      tlsVerify: z.boolean().optional(),
      user: z.string().max(320).nullable().optional(),
      password: z.string().max(1000).nullable().optional().describe('A new password, null to clear, absent to keep'),
      folder: z.string().trim().min(1).max(255).optional(),
      keepOnServer: z.boolean().optional(),
      enabled: z.boolean().optional(),
    })
    .optional(),
});

export const mailboxResponse = z.object({
  id: uuid,
  address: z.string(),
  displayName: z.string(),
  brand: z.object({ name: z.string(), logoUrl: z.string().nullable(), colour: z.string(), signature: z.string() }),
  defaultGroupId: uuid.nullable(),
  active: z.boolean(),
  imap: z.object({
    host: z.string().nullable(),
    port: z.number().int().nullable(),
    tls: z.boolean(),
    tlsVerify: z.boolean(),
    user: z.string().nullable(),
    passwordSet: z.boolean(),
    folder: z.string(),
    keepOnServer: z.boolean(),
    enabled: z.boolean(),
    state: z.enum(IMAP_STATES),
    uidValidity: z.number().nullable(),
    lastUid: z.number().nullable(),
    lastPollAt: isoDateTime.nullable(),
    lastSuccessAt: isoDateTime.nullable(),
    lastError: z.string().nullable(),
    lastErrorAt: isoDateTime.nullable(),
    consecutiveFailures: z.number().int(),
    warnings: z.array(z.string()).describe('Problems an admin must see: authentication failing, TLS off or unverified'),
  }),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type MailboxResponse = z.infer<typeof mailboxResponse>;

export const inboundQuery = z.object({
  status: z.enum(INBOUND_STATUSES).optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const inboundUploadQuery = z.object({ mailbox: email.describe('Address of the mailbox the message was sent to') });

export const inboundMailSummary = z.object({
  id: uuid,
  messageId: z.string(),
  source: z.enum(MAIL_SOURCES),
  mailboxId: uuid.nullable(),
  status: z.enum(INBOUND_STATUSES),
  reason: z.string().nullable(),
  from: z.string().nullable(),
  subject: z.string().nullable(),
  size: z.number().int(),
  deliveries: z.number().int(),
  kind: z.enum(MAIL_KINDS).nullable(),
  suppressAutoReply: z.boolean(),
  ticketNumber: z.number().int().nullable(),
  ticketMessageId: uuid.nullable(),
  receivedAt: isoDateTime,
  processedAt: isoDateTime.nullable(),
});

export const inboundMailDetail = inboundMailSummary.extend({
  envelope: z.object({ mailFrom: z.string().nullable(), rcptTo: z.array(z.string()), remoteAddress: z.string().nullable(), helo: z.string().nullable(), tls: z.boolean() }),
  loopSignals: z.array(z.string()),
  threadMatch: z.string().nullable(),
  trimmed: z.boolean(),
  attempts: z.number().int(),
  rawUrl: z.string(),
  deliveryReports: z.array(
    z.object({ originalMessageId: z.string().nullable(), recipient: z.string().nullable(), action: z.string(), status: z.string().nullable(), diagnostic: z.string().nullable(), handledAt: isoDateTime.nullable() }),
  ),
});

export const inboundAcceptedResponse = z.object({ id: uuid, messageId: z.string(), duplicate: z.boolean(), status: z.enum(INBOUND_STATUSES) });

export const mailParticipantResponse = z.object({
  email: z.string(),
  name: z.string(),
  role: z.enum(['requester', 'sender', 'cc']),
  contactId: uuid.nullable(),
  firstSeenAt: isoDateTime,
  lastSeenAt: isoDateTime,
});

export const originalMailResponse = z.object({
  inboundId: uuid,
  messageId: z.string(),
  from: z.string().nullable(),
  to: z.array(z.string()),
  cc: z.array(z.string()),
  subject: z.string(),
  date: z.string().nullable(),
  text: z.string().nullable().describe('The full text, quoted history included'),
  html: z.string().nullable().describe('The full HTML, sanitised'),
  trimmed: z.boolean().describe('Whether the message body shows less than this'),
  rawUrl: z.string(),
});
