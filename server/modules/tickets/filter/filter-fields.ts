import { TICKET_CHANNELS, TICKET_PRIORITIES, TICKET_STATUSES, TICKET_TYPES } from '../../../../contracts/tickets.js';
import type { CustomFieldType, FieldName, FilterKeyword, FilterOp } from './filter-ast.js';

export type FieldValueKind = 'enum' | 'user' | 'group' | 'contact' | 'organization' | 'tag' | 'time' | 'number' | 'text';

export interface FilterFieldSpec {
  name: FieldName;
  aliases: readonly string[];
  ops: readonly FilterOp[];
  value: FieldValueKind;
  /** Closed set of values (enum fields, `is:`, `has:`). */
  values?: readonly string[];
  keywords?: readonly FilterKeyword[];
  example: string;
  description: string;
}

const EQ = [':'] as const;
const ALL = [':', '>', '>=', '<', '<='] as const;

export const IS_VALUES = ['starred', 'spam', 'unassigned', 'open', 'merged'] as const;
export const HAS_VALUES = ['attachments'] as const;
export const SLA_VALUES = ['overdue', 'breached', 'active', 'paused'] as const;
export const OPEN_STATUSES = ['open', 'in_progress', 'waiting'] as const;

const time = (name: FieldName, what: string): FilterFieldSpec => ({
  name,
  aliases: [],
  ops: ALL,
  value: 'time',
  example: `${name}>7d`,
  description: `When the ticket was ${what}: an age (30m, 24h, 7d, 2w; ">" means older than) or a date (2026-01-01, 2026-01-01T12:00:00Z).`,
});

export const FILTER_FIELDS: readonly FilterFieldSpec[] = [
  { name: 'status', aliases: [], ops: EQ, value: 'enum', values: TICKET_STATUSES, example: 'status:open,in_progress', description: 'Ticket status.' },
  { name: 'priority', aliases: [], ops: ALL, value: 'enum', values: TICKET_PRIORITIES, example: 'priority>=high', description: 'Priority, ordered low < medium < high < urgent.' },
  { name: 'type', aliases: [], ops: EQ, value: 'enum', values: TICKET_TYPES, example: 'type:incident', description: 'Ticket type.' },
  { name: 'channel', aliases: [], ops: EQ, value: 'enum', values: TICKET_CHANNELS, example: 'channel:email,chat', description: 'Channel the ticket arrived through.' },
  { name: 'assignee', aliases: [], ops: EQ, value: 'user', keywords: ['me', 'none'], example: 'assignee:me', description: 'Assigned agent: me, none, or an email.' },
  { name: 'group', aliases: [], ops: EQ, value: 'group', keywords: ['mine', 'none'], example: 'group:"Tier 2"', description: 'Group: a name, mine (my groups) or none.' },
  { name: 'requester', aliases: [], ops: EQ, value: 'contact', example: 'requester:bob@example.com', description: "Requester's email address." },
  { name: 'organization', aliases: ['org'], ops: EQ, value: 'organization', keywords: ['none'], example: 'org:"Big Co"', description: "Requester's organization, or none." },
  { name: 'tag', aliases: ['tags'], ops: EQ, value: 'tag', example: '-tag:vip', description: 'Has one of these tags.' },
  time('created', 'created'),
  time('updated', 'last updated'),
  time('resolved', 'resolved'),
  time('closed', 'closed'),
  { name: 'is', aliases: [], ops: EQ, value: 'enum', values: IS_VALUES, example: 'is:starred', description: 'Starred (by me), spam, unassigned, open (open, in progress or waiting), merged.' },
  { name: 'has', aliases: [], ops: EQ, value: 'enum', values: HAS_VALUES, example: 'has:attachments', description: 'Some message of the ticket has an attachment.' },
  { name: 'number', aliases: [], ops: ALL, value: 'number', example: 'number:1042 (or #1042)', description: 'Ticket number.' },
  { name: 'subject', aliases: [], ops: EQ, value: 'text', example: 'subject:"refund request"', description: 'Subject contains this text (any case).' },
  { name: 'reopens', aliases: [], ops: ALL, value: 'number', example: 'reopens>2', description: 'How often the ticket was reopened.' },
  { name: 'messages', aliases: [], ops: ALL, value: 'number', example: 'messages>3', description: 'Number of messages on the ticket.' },
  {
    name: 'sla',
    aliases: [],
    ops: EQ,
    value: 'enum',
    values: SLA_VALUES,
    example: 'sla:overdue',
    description: 'SLA state of the next unmet target: overdue (its due time has passed), breached (recorded as breached), active (a clock is running), paused (waiting on the customer).',
  },
  {
    name: 'due',
    aliases: [],
    ops: ALL,
    value: 'time',
    example: 'due<2h',
    description: 'When the next SLA target is due, counted forward from now: due<2h (within two hours, overdue included), due>1d, or a date. Tickets without a running clock never match.',
  },
];

const BY_NAME = new Map<string, FilterFieldSpec>(FILTER_FIELDS.flatMap((f) => [f.name, ...f.aliases].map((n) => [n, f] as const)));

/** Looks a field up by name or alias, case-insensitively. */
export const fieldSpec = (name: string): FilterFieldSpec | undefined => BY_NAME.get(name.toLowerCase());

export const FIELD_NAMES: readonly string[] = [...FILTER_FIELDS.map((f) => f.name), 'cf.<key>'];

/** Which operators a custom field of each type accepts. */
export const CUSTOM_FIELD_OPS: Record<CustomFieldType, readonly FilterOp[]> = {
  text: EQ,
  dropdown: EQ,
  multi_select: EQ,
  checkbox: EQ,
  number: ALL,
  date: ALL,
};

export interface FilterFieldDescription {
  name: string;
  aliases: string[];
  operators: string[];
  values: string[];
  keywords: string[];
  example: string;
  description: string;
}

/** The fields, operators and allowed values, for the filter builder and autocomplete. */
export function describeFilterFields(
  customFields: readonly { key: string; type: CustomFieldType; options: string[] }[] = [],
): FilterFieldDescription[] {
  const builtIn = FILTER_FIELDS.map((f) => ({
    name: f.name,
    aliases: [...f.aliases],
    operators: [...f.ops],
    values: [...(f.values ?? [])],
    keywords: [...(f.keywords ?? [])],
    example: f.example,
    description: f.description,
  }));
  const custom = customFields.map((c) => ({
    name: `cf.${c.key}`,
    aliases: [],
    operators: [...CUSTOM_FIELD_OPS[c.type]],
    values: c.type === 'checkbox' ? ['true', 'false'] : [...c.options],
    keywords: ['none'],
    example: `cf.${c.key}:${c.type === 'checkbox' ? 'true' : c.type === 'number' ? '100' : c.type === 'date' ? '2026-01-01' : (c.options[0] ?? 'value')}`,
    description: `Custom field (${c.type}); "none" finds tickets without a value.`,
  }));
  return [...builtIn, ...custom];
}
