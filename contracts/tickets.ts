import { z } from 'zod';
import { email, isoDateTime, uuid } from './common.js';

export const TICKET_STATUSES = ['open', 'in_progress', 'waiting', 'resolved', 'closed'] as const;
export const TICKET_PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export const TICKET_TYPES = ['question', 'incident', 'problem', 'feature_request', 'complaint', 'task', 'other'] as const;
export const TICKET_CHANNELS = ['email', 'chat', 'web_form', 'phone', 'api', 'sms', 'social', 'agent'] as const;

/** What a ticket event records; every module writes one of these (the compiler holds them to it). */
export const TICKET_EVENT_ACTIONS = [
  'created',
  'status_changed',
  'priority_changed',
  'type_changed',
  'subject_changed',
  'assigned',
  'group_changed',
  'organization_changed',
  'tags_changed',
  'custom_fields_changed',
  'marked_spam',
  'unmarked_spam',
  'message_added',
  'merged_into',
  'merged_from',
  'split_to',
  'split_from',
  'follow_up_opened',
  'rule_applied',
  'chat_converted',
  'call_logged',
  'time_logged',
  'time_entry_changed',
  'time_entry_deleted',
] as const;
export type TicketEventAction = (typeof TICKET_EVENT_ACTIONS)[number];

export const ticketStatus = z.enum(TICKET_STATUSES);
export const ticketPriority = z.enum(TICKET_PRIORITIES);
export const ticketType = z.enum(TICKET_TYPES);
export const ticketChannel = z.enum(TICKET_CHANNELS);

/** Tags one ticket carries at most. */
export const MAX_TAGS = 50;

/** A tag both added and removed in one change: which was meant cannot be told. */
export function refuseContradictoryTags(v: { addTags?: string[] | undefined; removeTags?: string[] | undefined }, ctx: z.RefinementCtx): void {
  const both = (v.addTags ?? []).filter((t) => v.removeTags?.includes(t));
  if (both.length) ctx.addIssue({ code: 'custom', path: ['removeTags'], message: `names ${both.map((t) => `"${t}"`).join(', ')}, which addTags adds` });
}

export const tag = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(60)
  // Marks belong to letters: Hindi or Thai words carry them, and lower-casing İ yields i + U+0307.
  .regex(/^[\p{L}\p{M}\p{N}_.:/-]+$/u, 'tags are single words (letters, digits, _ . : / -)');

export const customFieldValue = z.union([z.string().max(10000), z.number(), z.boolean(), z.array(z.string().max(500)).max(100), z.null()]);
export const customFieldValues = z.record(z.string().max(60), customFieldValue);

const personRef = z.object({ id: uuid, name: z.string(), email: z.string().nullable() });

export const ticketResponse = z.object({
  id: uuid,
  number: z.number().int(),
  subject: z.string(),
  status: ticketStatus,
  priority: ticketPriority,
  type: ticketType,
  channel: ticketChannel,
  requester: personRef,
  organizationId: uuid.nullable(),
  assignee: personRef.nullable(),
  groupId: uuid.nullable(),
  tags: z.array(z.string()),
  customFields: customFieldValues,
  starred: z.boolean(),
  spam: z.boolean(),
  mergedIntoNumber: z.number().int().nullable(),
  splitFromNumber: z.number().int().nullable(),
  followUpOfNumber: z.number().int().nullable(),
  firstResponseAt: isoDateTime.nullable(),
  resolvedAt: isoDateTime.nullable(),
  closedAt: isoDateTime.nullable(),
  reopenCount: z.number().int(),
  messageCount: z.number().int(),
  lastMessageAt: isoDateTime.nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  /**
   * The next unmet SLA target of the applied policy, or null when no clock runs. dueAt is null
   * while the clock is paused (waiting on the customer); breached tells whether that target passed its due time.
   */
  sla: z.object({ target: z.enum(['first_response', 'next_response', 'resolution']), dueAt: isoDateTime.nullable(), breached: z.boolean(), paused: z.boolean() }).nullable(),
});
export type TicketResponse = z.infer<typeof ticketResponse>;

export const attachmentRef = uuid;

/**
 * Text that shows nothing: whitespace, zero-width spaces and joiners, word joiner and invisible
 * operators, BOM, soft hyphen, bidi marks, variation selectors, Hangul and Braille fillers.
 */
const ONLY_INVISIBLE = /^[\s\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0]*$/;
/** Zero-width characters do nothing at either end; others (a variation selector after an emoji) do, so they stay. */
const BLANK_EDGES = /^[\s\u200b-\u200d\u2060\ufeff]+|[\s\u200b-\u200d\u2060\ufeff]+$/g;
/** The same two rules for text checked outside a schema (custom field values). */
export const isBlankText = (s: string): boolean => ONLY_INVISIBLE.test(s);
export const trimBlankEdges = (s: string): string => s.replace(BLANK_EDGES, '');

/** A subject that shows something: one made only of invisible characters is as blank as spaces. */
export const ticketSubject = z
  .string()
  .overwrite((s) => s.replace(BLANK_EDGES, ''))
  .max(500)
  .refine((s) => !ONLY_INVISIBLE.test(s), 'must not be blank');

export const createTicketRequest = z.strictObject({
  subject: ticketSubject,
  requester: z.strictObject({ email, name: z.string().trim().max(200).optional() }).optional(),
  requesterId: uuid.optional(),
  message: z.strictObject({
    body: z.string().min(1).max(1_000_000),
    format: z.enum(['text', 'html']).default('text'),
    attachmentIds: z.array(attachmentRef).max(20).default([]),
  }),
  status: ticketStatus.optional(),
  priority: ticketPriority.default('medium'),
  type: ticketType.default('question'),
  channel: ticketChannel.default('api'),
  assigneeId: uuid.nullable().default(null),
  groupId: uuid.nullable().default(null),
  tags: z.array(tag).max(MAX_TAGS).default([]),
  customFields: customFieldValues.default({}),
});
export type CreateTicketRequest = z.input<typeof createTicketRequest>;

/** Tickets one batch create takes at most. */
export const MAX_BATCH_TICKETS = 1000;

export const createTicketsBatchRequest = z.strictObject({
  tickets: z.array(createTicketRequest).min(1).max(MAX_BATCH_TICKETS),
});

export const createTicketsBatchResponse = z.object({
  /** In the order of the request. */
  items: z.array(z.object({ id: uuid, number: z.number().int(), requesterId: uuid, messageId: uuid })),
});

export const updateTicketRequest = z.strictObject({
  subject: ticketSubject.optional(),
  status: ticketStatus.optional(),
  priority: ticketPriority.optional(),
  type: ticketType.optional(),
  assigneeId: uuid.nullable().optional(),
  groupId: uuid.nullable().optional(),
  tags: z.array(tag).max(MAX_TAGS).optional(),
  addTags: z.array(tag).max(MAX_TAGS).optional(),
  removeTags: z.array(tag).max(MAX_TAGS).optional(),
  customFields: customFieldValues.optional(),
  spam: z.boolean().optional(),
  starred: z.boolean().optional(),
}).superRefine(refuseContradictoryTags);
export type UpdateTicketRequest = z.input<typeof updateTicketRequest>;

export const listTicketsQuery = z.object({
  q: z.string().max(2000).optional(),
  view: z.string().max(100).optional(),
  sort: z.enum(['updated_desc', 'updated_asc', 'created_desc', 'created_asc', 'number_desc', 'number_asc']).optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/**
 * A ticket number in a path: plain decimal digits only. Number() would also read "1e0", "0x1",
 * "1.0" and " 1" as ticket 1, so one ticket would answer at many URLs and "1e3" at another's.
 */
export const ticketNumberParams = z.object({
  number: z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, 'must be a ticket number: digits only, no sign, leading zero or exponent')
    .transform(Number)
    .refine(Number.isSafeInteger, 'is larger than any ticket number'),
});

export const ticketEventResponse = z.object({
  id: uuid,
  action: z.string(),
  actor: z.object({ type: z.string(), id: z.string().nullable() }),
  from: z.unknown(),
  to: z.unknown(),
  data: z.record(z.string(), z.unknown()),
  at: isoDateTime,
});
export const listEventsQuery = z.object({
  action: z
    .string()
    .max(1000)
    .transform((text, c) => {
      const actions = [...new Set(text.split(',').map((a) => a.trim()).filter(Boolean))];
      const unknown = actions.filter((a) => !(TICKET_EVENT_ACTIONS as readonly string[]).includes(a));
      if (unknown.length) c.addIssue({ code: 'custom', message: `unknown action ${unknown.join(', ')}; expected one of ${TICKET_EVENT_ACTIONS.join(', ')}` });
      return actions as TicketEventAction[];
    })
    .optional()
    .describe(`Comma-separated actions, e.g. status_changed,assigned; one of ${TICKET_EVENT_ACTIONS.join(', ')}`),
  from: isoDateTime.optional(),
  to: isoDateTime.optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const mergeRequest = z.strictObject({ sourceNumbers: z.array(z.number().int().positive()).min(1).max(50) });
export const splitRequest = z.strictObject({ messageIds: z.array(uuid).min(1).max(500), subject: ticketSubject.optional() });

export const BULK_MAX = 1000;
/** Tickets are named by number, by id, or both (at least one of the two lists, BULK_MAX in all). */
export const bulkUpdateRequest = z.strictObject({
  numbers: z.array(z.number().int().positive()).min(1).max(BULK_MAX).optional(),
  ids: z.array(uuid).min(1).max(BULK_MAX).optional(),
  changes: z.strictObject({
    status: ticketStatus.optional(),
    priority: ticketPriority.optional(),
    assigneeId: uuid.nullable().optional(),
    groupId: uuid.nullable().optional(),
    addTags: z.array(tag).max(MAX_TAGS).optional(),
    removeTags: z.array(tag).max(MAX_TAGS).optional(),
    spam: z.boolean().optional(),
  }).superRefine(refuseContradictoryTags),
});
export const bulkUpdateResponse = z.object({ updated: z.array(z.number().int()) });

export const CUSTOM_FIELD_TYPES = ['text', 'number', 'dropdown', 'multi_select', 'checkbox', 'date'] as const;
export const customFieldKey = z.string().trim().toLowerCase().regex(/^[a-z][a-z0-9_]{0,59}$/, 'keys are lower-case letters, digits and _ (starting with a letter)');
export const customFieldResponse = z.object({
  id: uuid,
  key: z.string(),
  label: z.string(),
  type: z.enum(CUSTOM_FIELD_TYPES),
  options: z.array(z.string()),
  requiredForTypes: z.array(ticketType),
  position: z.number().int(),
  active: z.boolean(),
});
export const createCustomFieldRequest = z.strictObject({
  key: customFieldKey,
  label: z.string().trim().min(1).max(200),
  type: z.enum(CUSTOM_FIELD_TYPES),
  options: z.array(z.string().trim().min(1).max(200)).max(500).default([]),
  requiredForTypes: z.array(ticketType).default([]),
  position: z.number().int().min(0).max(10000).default(0),
});
export const updateCustomFieldRequest = z.strictObject({
  label: z.string().trim().min(1).max(200).optional(),
  options: z.array(z.string().trim().min(1).max(200)).max(500).optional(),
  requiredForTypes: z.array(ticketType).optional(),
  position: z.number().int().min(0).max(10000).optional(),
  active: z.boolean().optional(),
});

export const VIEW_COLUMNS = ['number', 'subject', 'requester', 'status', 'priority', 'assignee', 'group', 'channel', 'tags', 'type', 'created', 'updated'] as const;
export const viewSort = z.enum(['updated_desc', 'updated_asc', 'created_desc', 'created_asc', 'number_desc', 'number_asc']);
/** The built-in sidebar views (views.service.ts holds their filters). */
export const PREDEFINED_VIEW_IDS = ['my_open', 'my_in_progress', 'my_waiting', 'my_resolved', 'my_closed', 'unassigned', 'all_open', 'my_groups', 'starred', 'spam', 'overdue', 'transferred'] as const;
/** A saved view's id; a predefined view's name is taken too, to be refused for what it is rather than as a malformed id. */
export const savedViewParams = z.object({ id: z.union([uuid, z.enum(PREDEFINED_VIEW_IDS)]) });

export const viewResponse = z.object({
  id: z.string(),
  name: z.string(),
  predefined: z.boolean(),
  shared: z.boolean(),
  ownerId: uuid.nullable(),
  query: z.string(),
  columns: z.array(z.enum(VIEW_COLUMNS)),
  sort: viewSort,
  count: z.number().int().optional(),
});
export const createViewRequest = z.strictObject({
  name: z.string().trim().min(1).max(100),
  query: z.string().max(2000),
  shared: z.boolean().default(false),
  columns: z.array(z.enum(VIEW_COLUMNS)).min(1).default(['number', 'subject', 'requester', 'status', 'priority', 'assignee', 'updated']),
  sort: viewSort.default('updated_desc'),
  position: z.number().int().min(0).max(10000).default(0),
});
export const updateViewRequest = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  query: z.string().max(2000).optional(),
  shared: z.boolean().optional(),
  columns: z.array(z.enum(VIEW_COLUMNS)).min(1).optional(),
  sort: viewSort.optional(),
  position: z.number().int().min(0).max(10000).optional(),
});
export const searchQuery = z.object({
  q: z.string().min(1).max(2000),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

// Tags (admin: rename, merge, delete across every ticket)

export const tagParams = z.object({ tag });
export const tagResponse = z.object({ name: z.string(), ticketCount: z.number().int() });
export const renameTagRequest = z.strictObject({ name: tag.describe('The new name; when a tag of that name exists, the two are merged') });
export const tagChangeResponse = z.object({
  from: z.string(),
  to: z.string().nullable().describe('null when the tag was deleted'),
  merged: z.boolean().describe('true when the new name already existed and the tags were merged'),
  tickets: z.number().int().describe('How many tickets changed'),
});

/** GET /api/v1/tickets/filter-fields: the filter language's fields for the builder and autocomplete. */
export const filterFieldResponse = z.object({
  name: z.string().describe('Field name as written in a filter, e.g. status or cf.plan'),
  aliases: z.array(z.string()),
  operators: z.array(z.string()),
  values: z.array(z.string()).describe('Allowed values, empty when free text'),
  keywords: z.array(z.string()),
  example: z.string(),
  description: z.string(),
});
export const filterFieldsResponse = z.object({ fields: z.array(filterFieldResponse) });
