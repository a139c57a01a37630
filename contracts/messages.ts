import { z } from 'zod';
import { isoDateTime, pageOf, uuid } from './common.js';
import { ticketResponse, ticketStatus } from './tickets.js';

export const attachmentResponse = z.object({
  id: uuid,
  filename: z.string(),
  contentType: z.string(),
  size: z.number().int(),
  url: z.string(),
  createdAt: isoDateTime,
});

export const messageResponse = z.object({
  id: uuid,
  kind: z.enum(['customer', 'reply', 'note']),
  author: z.object({ type: z.enum(['user', 'contact', 'system']), id: uuid.nullable(), name: z.string() }),
  bodyHtml: z.string(),
  bodyText: z.string(),
  mentions: z.array(uuid),
  attachments: z.array(attachmentResponse),
  mergedFromNumber: z.number().int().nullable(),
  createdAt: isoDateTime,
});

export const MESSAGES_PAGE_MAX = 500;
export const listMessagesQuery = z.object({
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(MESSAGES_PAGE_MAX).default(100),
});
export const messagesPage = pageOf(messageResponse).describe(
  'In order, oldest first. A page holds at most `limit` messages and stops early once its bodies pass about 4 million characters (at least one message); follow nextCursor until it is null.',
);

/**
 * Only the kinds a caller may post: customer messages arrive through the channels (mail, portal,
 * chat, SMS); a customer signed in here posts with the default kind and it is stored as theirs.
 */
export const postMessageRequest = z.strictObject({
  kind: z.enum(['reply', 'note']).default('reply').describe('reply: public, to the customer; note: internal, staff only'),
  body: z.string().min(1).max(1_000_000),
  format: z.enum(['text', 'html']).default('text'),
  attachmentIds: z.array(uuid).max(20).default([]),
  setStatus: ticketStatus.optional().describe('Send and set status in one step, e.g. reply and resolve'),
});

export const postMessageResponse = z.object({ message: messageResponse, ticket: ticketResponse });
