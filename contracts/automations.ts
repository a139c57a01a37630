import { z } from 'zod';
import { isoDateTime, uuid } from './common.js';
import { customFieldValues, tag, ticketPriority, ticketStatus, ticketType } from './tickets.js';

/**
 * Automations: one rule engine for routing rules (ticket created, inbound message), event
 * triggers and time rules (the periodic sweep). Conditions are the one filter language plus the
 * facts routing needs that tickets do not hold (mailbox, requester domain, VIP, business hours).
 */
export const RULE_KINDS = ['routing', 'trigger', 'time'] as const;
export const TRIGGER_EVENTS = [
  'ticket.created',
  'ticket.updated',
  'ticket.status_changed',
  'ticket.priority_changed',
  'message.received',
  'sla.warning',
  'sla.breached',
] as const;
export const ASSIGNMENT_STRATEGIES = ['manual', 'round_robin', 'least_loaded', 'skill_based', 'vip'] as const;

export const ruleKind = z.enum(RULE_KINDS);
export const triggerEvent = z.enum(TRIGGER_EVENTS);
export type TriggerEvent = (typeof TRIGGER_EVENTS)[number];

export const ruleConditions = z.strictObject({
  /** The filter language of views (DESIGN.md 8), e.g. `status:waiting updated>3d priority>=high`. */
  filter: z.string().trim().max(2000).default(''),
  /** The ticket came in through one of these mailboxes. */
  mailboxIds: z.array(uuid).max(50).optional(),
  /** Any of these words or phrases in the subject or the latest customer message (case-insensitive). */
  keywords: z.array(z.string().trim().min(1).max(200)).max(100).optional(),
  /** The requester's email is at one of these domains (`bigcustomer.com`, subdomains included). */
  emailDomains: z.array(z.string().trim().toLowerCase().min(1).max(253)).max(100).optional(),
  /** The requester (or their organization) is VIP, or is not. */
  vip: z.boolean().optional(),
  /** Inside or outside the business hours of a calendar (the sla module's calendars). */
  businessHours: z.strictObject({ calendarId: uuid, inside: z.boolean() }).optional(),
  /** No agent has replied yet (time rules: "no agent response in 24 h"). */
  noAgentReply: z.boolean().optional(),
});

export const ruleAction = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('set_group'), groupId: uuid }),
  /** A named agent, or (without userId) the strategy of the ticket's group. */
  z.strictObject({ type: z.literal('assign'), userId: uuid.optional() }),
  z.strictObject({ type: z.literal('set_priority'), priority: ticketPriority }),
  z.strictObject({ type: z.literal('set_type'), value: ticketType }),
  z.strictObject({ type: z.literal('set_status'), status: ticketStatus }),
  z.strictObject({ type: z.literal('add_tags'), tags: z.array(tag).min(1).max(50) }),
  z.strictObject({ type: z.literal('remove_tags'), tags: z.array(tag).min(1).max(50) }),
  z.strictObject({ type: z.literal('set_custom_fields'), values: customFieldValues }),
  z.strictObject({ type: z.literal('apply_sla'), policyId: uuid }),
  z.strictObject({ type: z.literal('add_note'), body: z.string().trim().min(1).max(20000) }),
  z.strictObject({ type: z.literal('notify'), userIds: z.array(uuid).max(100).default([]), groupIds: z.array(uuid).max(100).default([]), text: z.string().trim().min(1).max(2000) }),
  /** Liquid templates with the customer-mail variables (`ticket.number`, `ticket.subject`, `customer.name` …). */
  z.strictObject({ type: z.literal('email_customer'), subject: z.string().trim().min(1).max(500), body: z.string().trim().min(1).max(20000) }),
  /** Moves the ticket to another group, unassigned, then assigned by that group's strategy. */
  z.strictObject({ type: z.literal('escalate'), groupId: uuid }),
  /** POSTs the ticket to one of the outgoing webhooks (signed and retried like its event deliveries), whatever events it subscribes to. */
  z.strictObject({ type: z.literal('send_webhook'), webhookId: uuid }),
  z.strictObject({ type: z.literal('stop') }),
]);
export type RuleAction = z.infer<typeof ruleAction>;
export type RuleConditions = z.infer<typeof ruleConditions>;

/** A rule runs once per event whichever way it is listed: repeats are dropped (as a webhook's event types are). */
const triggerEvents = z
  .array(triggerEvent)
  .max(TRIGGER_EVENTS.length)
  .transform((list) => [...new Set(list)]);

export const createRuleRequest = z.strictObject({
  name: z.string().trim().min(1).max(200),
  kind: ruleKind,
  /** Triggers only: the events that run the rule. Routing rules run on ticket created and inbound message. */
  events: triggerEvents.default([]),
  /** Where it goes in its kind's order (0 first); appended when left out. */
  position: z.number().int().min(0).optional(),
  active: z.boolean().default(true),
  conditions: ruleConditions.default({ filter: '' }),
  actions: z.array(ruleAction).min(1).max(50),
});
export const updateRuleRequest = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  events: triggerEvents.optional(),
  position: z.number().int().min(0).optional(),
  active: z.boolean().optional(),
  conditions: ruleConditions.optional(),
  actions: z.array(ruleAction).min(1).max(50).optional(),
});

export const ruleResponse = z.object({
  id: uuid,
  name: z.string(),
  kind: ruleKind,
  events: z.array(triggerEvent),
  position: z.number().int(),
  active: z.boolean(),
  conditions: ruleConditions,
  actions: z.array(ruleAction),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export const ruleListResponse = z.object({ items: z.array(ruleResponse) });
export const listRulesQuery = z.object({ kind: ruleKind.optional() });

export const groupStrategyRequest = z.strictObject({
  strategy: z.enum(ASSIGNMENT_STRATEGIES),
  /** VIP strategy: the senior agents VIP contacts go to. */
  seniorAgentIds: z.array(uuid).max(100).default([]),
});
export const groupStrategyResponse = z.object({
  groupId: uuid,
  strategy: z.enum(ASSIGNMENT_STRATEGIES),
  seniorAgentIds: z.array(uuid),
});

export const sweepResponse = z.object({ rules: z.number().int(), matched: z.number().int(), acted: z.number().int(), episodesEnded: z.number().int() });
