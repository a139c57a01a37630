import { z } from 'zod';
import { email, utcDateTime } from './common.js';
import { customFieldValues, tag, ticketChannel, ticketPriority, ticketStatus, ticketType } from './tickets.js';

export const importMessage = z.strictObject({
  kind: z.enum(['customer', 'reply', 'note']),
  authorEmail: email.optional().describe('An agent for reply/note; defaults to the requester for customer messages'),
  body: z.string().min(1).max(1_000_000),
  format: z.enum(['text', 'html']).default('text'),
  createdAt: utcDateTime,
});

export const importTicket = z.strictObject({
  externalId: z.string().trim().min(1).max(200).optional().describe('Its id in the system it comes from: a ticket already imported under it is skipped, so a retried batch does not duplicate history'),
  subject: z.string().trim().min(1).max(500),
  requester: z.strictObject({ email, name: z.string().trim().max(200).optional() }),
  status: ticketStatus.default('closed'),
  priority: ticketPriority.default('medium'),
  type: ticketType.default('question'),
  channel: ticketChannel.default('email'),
  assigneeEmail: email.optional(),
  groupName: z.string().max(100).optional(),
  tags: z.array(tag).max(50).default([]),
  customFields: customFieldValues.default({}),
  createdAt: utcDateTime,
  statusChangedAt: utcDateTime.optional().describe('When the final status was reached: not before the last message; defaults to its time'),
  messages: z.array(importMessage).min(1).max(500),
});

export const importTicketsRequest = z.strictObject({ tickets: z.array(importTicket).min(1).max(200) });

const importedRef = z.object({ externalId: z.string().nullable(), number: z.number().int() });
export const importTicketsResponse = z.object({
  imported: z.array(importedRef),
  skipped: z.array(importedRef.extend({ externalId: z.string() })).describe('Tickets an earlier import already brought in under the same externalId, with their numbers; not imported again'),
});
