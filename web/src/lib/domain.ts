import type { TicketChannel, TicketPriority, TicketStatus, TicketType, ViewColumn, ViewSort } from './types.js';

// Records keyed by the contract's unions: adding a status to contracts/ fails the web typecheck
// until it is listed here too (the lists themselves stay out of the bundle with zod).
const keys = <K extends string>(r: Record<K, true>): K[] => Object.keys(r) as K[];

export const STATUSES = keys<TicketStatus>({ open: true, in_progress: true, waiting: true, resolved: true, closed: true });
export const PRIORITIES = keys<TicketPriority>({ low: true, medium: true, high: true, urgent: true });
export const TYPES = keys<TicketType>({ question: true, incident: true, problem: true, feature_request: true, complaint: true, task: true, other: true });
export const CHANNELS = keys<TicketChannel>({ email: true, chat: true, web_form: true, phone: true, api: true, sms: true, social: true, agent: true });
export const COLUMNS = keys<ViewColumn>({ number: true, subject: true, requester: true, status: true, priority: true, assignee: true, group: true, channel: true, tags: true, type: true, created: true, updated: true });
export const SORTS = keys<ViewSort>({ updated_desc: true, updated_asc: true, created_desc: true, created_asc: true, number_desc: true, number_asc: true });
export const DEFAULT_COLUMNS: ViewColumn[] = ['number', 'subject', 'requester', 'status', 'priority', 'assignee', 'group', 'channel', 'tags', 'updated'];
