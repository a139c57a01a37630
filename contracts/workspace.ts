import { z } from 'zod';
import { isoDateTime, uuid } from './common.js';

/** A calendar date (the day work was done), not an instant. */
export const calendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date such as 2026-03-02')
  .refine((d) => {
    const t = new Date(`${d}T00:00:00.000Z`);
    return !Number.isNaN(t.getTime()) && t.toISOString().startsWith(d);
  }, 'is not a real date');

const personRef = z.object({ id: uuid, name: z.string() });

/**
 * The day work was done, as sent: 1970 or later (year 0000 or 1900 is a typo, and every report
 * over time would reach back to it). Dates after tomorrow are refused by the service, which knows
 * today. Responses use calendarDate: entries stored before this rule still read back.
 */
const workDate = calendarDate.refine((d) => d >= '1970-01-01', 'must be 1970 or later');

// Time entries

export const timeEntryResponse = z.object({
  id: uuid,
  ticketNumber: z.number().int(),
  user: personRef,
  minutes: z.number().int(),
  note: z.string(),
  date: calendarDate,
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type TimeEntryResponse = z.infer<typeof timeEntryResponse>;

export const timeEntryListResponse = z.object({ items: z.array(timeEntryResponse), totalMinutes: z.number().int() });

export const createTimeEntryRequest = z.strictObject({
  minutes: z.number().int().min(1).max(24 * 60),
  note: z.string().trim().max(2000).default(''),
  /** Defaults to today in the installation time zone; at most tomorrow. */
  date: workDate.optional(),
});
export const updateTimeEntryRequest = z
  .strictObject({ minutes: z.number().int().min(1).max(24 * 60).optional(), note: z.string().trim().max(2000).optional(), date: workDate.optional() })
  .refine((v) => Object.values(v).some((x) => x !== undefined), 'give minutes, note or date');

// Canned responses

export const cannedResponseResponse = z.object({
  id: uuid,
  title: z.string(),
  /** Liquid template, e.g. `Hello {{ requester.firstName }}, ticket #{{ ticket.number }}`. */
  body: z.string(),
  /** shared: written by an admin for everyone; personal: visible only to its owner. */
  scope: z.enum(['shared', 'personal']),
  ownerId: uuid.nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type CannedResponseResponse = z.infer<typeof cannedResponseResponse>;

export const createCannedResponseRequest = z.strictObject({
  title: z.string().trim().min(1).max(200),
  body: z.string().min(1).max(20_000),
  /** Only admins may create shared responses. */
  scope: z.enum(['shared', 'personal']).default('personal'),
});
export const updateCannedResponseRequest = z
  .strictObject({ title: z.string().trim().min(1).max(200).optional(), body: z.string().min(1).max(20_000).optional() })
  .refine((v) => v.title !== undefined || v.body !== undefined, 'give title or body');
export const listCannedResponsesQuery = z.object({ q: z.string().trim().max(200).optional() });
export const renderCannedResponseQuery = z.object({ ticket: z.coerce.number().int().positive().optional() });
export const renderCannedResponseResponse = z.object({ text: z.string() });
/** The variables a template can use; unknown ones render as empty text. */
export const CANNED_PLACEHOLDERS = [
  'ticket.number',
  'ticket.subject',
  'ticket.status',
  'ticket.priority',
  'ticket.type',
  'requester.name',
  'requester.firstName',
  'requester.email',
  'agent.name',
  'agent.firstName',
  'agent.email',
] as const;

// Notifications (the bell)

export const NOTIFICATION_KINDS = ['mention', 'assigned', 'customer_reply', 'sla_warning', 'sla_breached', 'callback_due', 'automation'] as const;
export const notificationResponse = z.object({
  id: uuid,
  kind: z.enum(NOTIFICATION_KINDS),
  ticket: z.object({ id: uuid, number: z.number().int(), subject: z.string() }),
  /** The note or message to jump to; null for an assignment. */
  messageId: uuid.nullable(),
  actor: z.object({ type: z.string(), id: z.string().nullable(), name: z.string() }),
  excerpt: z.string(),
  read: z.boolean(),
  readAt: isoDateTime.nullable(),
  createdAt: isoDateTime,
});
export type NotificationResponse = z.infer<typeof notificationResponse>;
export const listNotificationsQuery = z.object({
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
  unread: z.enum(['true', 'false']).optional(),
});
export const unreadCountResponse = z.object({ unread: z.number().int() });

// Notice board

export const noticeResponse = z.object({
  id: uuid,
  title: z.string(),
  body: z.string(),
  pinned: z.boolean(),
  expiresAt: isoDateTime.nullable(),
  author: personRef.nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type NoticeResponse = z.infer<typeof noticeResponse>;
export const createNoticeRequest = z.strictObject({
  title: z.string().trim().min(1).max(200),
  body: z.string().trim().max(10_000).default(''),
  pinned: z.boolean().default(false),
  expiresAt: isoDateTime.nullable().default(null),
});
export const updateNoticeRequest = z
  .strictObject({ title: z.string().trim().min(1).max(200).optional(), body: z.string().trim().max(10_000).optional(), pinned: z.boolean().optional(), expiresAt: isoDateTime.nullable().optional() })
  .refine((v) => Object.values(v).some((x) => x !== undefined), 'give at least one field');
export const listNoticesQuery = z.object({ include: z.enum(['active', 'all']).default('active') });

// Mini dashboard

const dashboardCounts = z.object({
  createdToday: z.number().int(),
  resolvedToday: z.number().int(),
  inProgress: z.number().int(),
  waiting: z.number().int(),
  /** "me": unassigned tickets of my groups; "everyone": all unassigned open work. */
  unassigned: z.number().int(),
  /** Tickets resolved in the last 7 days, and how many of them within 24 hours of creation. */
  resolvedLast7Days: z.number().int(),
  resolvedWithin24h: z.number().int(),
  /** resolvedWithin24h / resolvedLast7Days, 0..1; null when nothing was resolved. */
  resolvedWithin24hRate: z.number().min(0).max(1).nullable(),
});
export const dashboardResponse = z.object({
  timeZone: z.string(),
  /** Start and end of "today" in the installation time zone, as instants. */
  today: z.object({ from: isoDateTime, to: isoDateTime }),
  me: dashboardCounts,
  everyone: dashboardCounts,
  generatedAt: isoDateTime,
});
export type DashboardResponse = z.infer<typeof dashboardResponse>;
