import { z } from 'zod';

/** Domain events written to the outbox in the same transaction as the change. */
const ticketRef = z.object({ ticketId: z.string(), number: z.number().int() });

export const EVENT_SCHEMAS = {
  'ticket.created': ticketRef.extend({ channel: z.string(), requesterId: z.string() }),
  'ticket.updated': ticketRef.extend({ changes: z.array(z.string()) }),
  'ticket.status_changed': ticketRef.extend({ from: z.string(), to: z.string() }),
  /** `by`: who assigned it (absent in events stored before it was added). */
  'ticket.assigned': ticketRef.extend({ from: z.string().nullable(), to: z.string().nullable(), by: z.object({ type: z.string(), id: z.string().nullable() }).optional() }),
  'ticket.merged': ticketRef.extend({ intoTicketId: z.string(), intoNumber: z.number().int() }),
  'ticket.split': ticketRef.extend({ fromTicketId: z.string(), fromNumber: z.number().int() }),
  'ticket.deleted': ticketRef,
  /**
   * An import finished writing a ticket's history (its own events are marked `imported`), at the
   * time of the import: SLA clocks are settled from here (targets already past due are history).
   */
  'ticket.imported': ticketRef,
  'contact.updated': z.object({ contactId: z.string(), changes: z.array(z.string()) }),
  /** A group was deleted; the tickets module takes its tickets out of it. */
  'group.deleted': z.object({ groupId: z.string(), name: z.string() }),
  /** An organization was deleted; the tickets module takes its tickets out of it (its contacts leave it by the foreign key). */
  'organization.deleted': z.object({ organizationId: z.string(), name: z.string() }),
  /** `at`: when the message was written (its createdAt; historical for imports). Absent in events stored before it was added. */
  'message.created': ticketRef.extend({ messageId: z.string(), kind: z.enum(['customer', 'reply', 'note']), mentions: z.array(z.string()), at: z.string().optional(), opening: z.boolean().optional() }),
  /** Inbound mail that could not be processed; its raw bytes are kept for replay. */
  'mail.quarantined': z.object({ inboundId: z.string(), reason: z.string() }),
  /** A delivery-status notification about a message we sent (bounce, delay). */
  'mail.delivery_report': z.object({ reportId: z.string(), inboundId: z.string(), originalMessageId: z.string().nullable(), ticketId: z.string().nullable(), recipient: z.string().nullable(), action: z.string(), status: z.string().nullable() }),
  /** An outbound mail was given up on (permanent refusal, attempts used up) or bounced after sending. */
  'mail.outbound_failed': z.object({ outboundId: z.string(), ticketId: z.string(), reason: z.string() }),
  'ticket.time_logged': ticketRef.extend({ entryId: z.string(), totalMinutes: z.number().int() }),
  'notification.created': z.object({ notificationId: z.string(), userId: z.string() }),
  'notification.read': z.object({ userId: z.string() }),
  'notice.changed': z.object({ noticeId: z.string() }),
  /** An SLA target of a ticket passed the configured share of its allowed time (once per target and due time). */
  'sla.warning': ticketRef.extend({ target: z.enum(['first_response', 'next_response', 'resolution']), dueAt: z.string(), policyId: z.string(), assigneeId: z.string().nullable(), groupId: z.string().nullable() }),
  /** An SLA target of a ticket passed its due time unmet (recorded once per target). */
  'sla.breached': ticketRef.extend({ target: z.enum(['first_response', 'next_response', 'resolution']), dueAt: z.string(), policyId: z.string(), assigneeId: z.string().nullable(), groupId: z.string().nullable() }),
  /** A customer rated a resolved ticket through the CSAT survey (again when they change it). good_bad: 1 good, 0 bad; five: 1-5. */
  'csat.rated': ticketRef.extend({ rating: z.number().int(), scale: z.enum(['good_bad', 'five']), comment: z.string().nullable(), contactId: z.string().nullable() }),
  /** A phone callback reservation reached its time (emitted once per reservation); notifications tell the agent. */
  'callback.due': ticketRef.extend({ callbackId: z.string(), userId: z.string(), dueAt: z.string() }),
  /** A live chat changed state (started, accepted, transferred, ended, converted); the console lists refresh. */
  'chat.updated': z.object({ sessionId: z.string(), status: z.string(), assigneeId: z.string().nullable(), previousAssigneeId: z.string().nullable() }),
  /** A line was added to a live chat (visitor, agent or system); pushed to the widget and the console. */
  'chat.message': z.object({ sessionId: z.string(), messageId: z.string(), seq: z.number().int() }),
  /** A rule's "send a webhook" action: the integrations module delivers it to that one webhook. */
  'automation.webhook': ticketRef.extend({
    webhookId: z.string(),
    ruleId: z.string(),
    ruleName: z.string(),
    ticket: z.object({ subject: z.string(), status: z.string(), priority: z.string(), type: z.string(), channel: z.string(), assigneeId: z.string().nullable(), groupId: z.string().nullable(), tags: z.array(z.string()) }),
  }),
  /** A rule asks to tell agents or groups about a ticket; the notifications module delivers it. */
  'automation.notify': ticketRef.extend({ userIds: z.array(z.string()), groupIds: z.array(z.string()), text: z.string(), ruleId: z.string() }),
} as const;

export type EventName = keyof typeof EVENT_SCHEMAS;
export type EventPayload<N extends EventName> = z.infer<(typeof EVENT_SCHEMAS)[N]>;

/**
 * Whether an event was written while an import replayed history (its payload then carries
 * `imported: true`, and its time is the original one). Subscribers acting on the present (agent
 * and customer notifications, SLA alarms, rules) skip it; projections (reports, search) keep it.
 */
export const isImported = (payload: unknown): boolean => (payload as { imported?: unknown } | null)?.imported === true;
