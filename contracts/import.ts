import { z } from 'zod';
import { email, utcDateTime } from './common.js';
import { customFieldValues, tag, ticketChannel, ticketPriority, ticketStatus, ticketType } from './tickets.js';

/** History is not older than the Unix epoch: a year-0 date is a typo, and would stretch every rollup rebuild over two thousand years of empty days. */
const pastDateTime = utcDateTime.refine((iso) => iso >= '1970-01-01T00:00:00.000Z', 'must be 1970 or later');

export const importMessage = z.strictObject({
  kind: z.enum(['customer', 'reply', 'note']),
  authorEmail: email.optional().describe('An agent for reply/note; a customer message is the requester\'s (when given, the requester\'s email)'),
  body: z.string().min(1).max(1_000_000),
  format: z.enum(['text', 'html']).default('text'),
  createdAt: pastDateTime,
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
  createdAt: pastDateTime,
  statusChangedAt: pastDateTime.optional().describe('When the final status was reached: not before the last message; defaults to its time'),
  messages: z.array(importMessage).min(1).max(500),
}).superRefine((t, issues) => {
  // Silently filing another person's words under the requester would falsify the history.
  t.messages.forEach((m, i) => {
    if (m.kind === 'customer' && m.authorEmail && m.authorEmail.toLowerCase() !== t.requester.email.toLowerCase()) {
      issues.addIssue({ code: 'custom', path: ['messages', i, 'authorEmail'], message: 'a customer message is written by the requester: leave it out or give the requester\'s email' });
    }
  });
});

export const importTicketsRequest = z.strictObject({ tickets: z.array(importTicket).min(1).max(200) });

const importedRef = z.object({ externalId: z.string().nullable(), number: z.number().int() });
export const importTicketsResponse = z.object({
  imported: z.array(importedRef),
  skipped: z.array(importedRef.extend({ externalId: z.string() })).describe('Tickets an earlier import already brought in under the same externalId, with their numbers; not imported again'),
});
