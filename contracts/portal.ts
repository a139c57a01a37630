import { z } from 'zod';
import { email, isoDateTime, uuid } from './common.js';
import { ticketStatus, ticketSubject } from './tickets.js';

export const portalLinkRequest = z.strictObject({
  email,
  /** Brands the mail and the portal with this mailbox. */
  mailboxId: uuid.optional(),
});

export const portalSignInRequest = z.strictObject({ token: z.string().min(20).max(200) });

export const portalMeResponse = z.object({
  name: z.string(),
  email: z.string(),
  organization: z.string().nullable(),
  canSeeOrganization: z.boolean(),
  csrfToken: z.string(),
});

export const portalBrandResponse = z.object({ mailboxId: z.string().nullable(), name: z.string(), colour: z.string(), logoUrl: z.string().nullable() });

export const portalTicketSummary = z.object({
  number: z.number().int(),
  subject: z.string(),
  status: ticketStatus,
  mine: z.boolean(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});

export const portalTicketsQuery = z.object({ scope: z.enum(['mine', 'organization']).default('mine') });

export const portalAttachment = z.object({ id: z.string(), filename: z.string(), contentType: z.string(), size: z.number().int() });

/** A message as the customer sees it: who wrote it (agents by name), never internal notes. */
export const portalMessage = z.object({
  id: z.string(),
  from: z.enum(['you', 'customer', 'agent', 'system']),
  authorName: z.string(),
  bodyText: z.string(),
  bodyHtml: z.string(),
  createdAt: isoDateTime,
  attachments: z.array(portalAttachment),
});

export const portalTicketDetail = portalTicketSummary.extend({ messages: z.array(portalMessage) });

export const portalReplyRequest = z.strictObject({
  body: z.string().trim().min(1).max(100_000),
  attachmentIds: z.array(uuid).max(20).default([]),
});

export const portalNewTicketRequest = z.strictObject({
  subject: ticketSubject,
  body: z.string().trim().min(1).max(100_000),
  attachmentIds: z.array(uuid).max(20).default([]),
});

export const portalSettingsResponse = z.object({ allowOrganization: z.boolean(), linkMinutes: z.number().int(), sessionHours: z.number().int() });
export const updatePortalSettingsRequest = z.strictObject({
  allowOrganization: z.boolean().optional(),
  linkMinutes: z.number().int().min(5).max(24 * 60).optional(),
  sessionHours: z.number().int().min(1).max(24 * 90).optional(),
});
