import { z } from 'zod';
import { isoDateTime, patchOf } from './common.js';
import { TICKET_PRIORITIES, TICKET_TYPES } from './tickets.js';

/** Reports: one query shape for every report, one table shape for every answer (UI, CSV, API). */

export const REPORT_NAMES = ['volume', 'speed', 'backlog', 'quality', 'agents', 'time', 'sla', 'csat'] as const;
export const reportName = z.enum(REPORT_NAMES);
export type ReportName = z.infer<typeof reportName>;

export const REPORT_DIMENSIONS = ['none', 'channel', 'group', 'type', 'tag', 'priority', 'agent', 'organization'] as const;
export const reportDimension = z.enum(REPORT_DIMENSIONS);
export type ReportDimension = z.infer<typeof reportDimension>;

const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');
const list = z.string().trim().max(500);

export const reportQuery = z.object({
  from: localDate.optional().describe('First local day (account time zone); default 29 days before `to`'),
  to: localDate.optional().describe('Last local day, included; default today'),
  interval: z.enum(['day', 'week', 'month']).default('day').describe('Bucket size of time series (weeks start on Monday)'),
  by: reportDimension.default('none').describe('Split figures by this ticket property'),
  group: list.optional().describe('Group names or ids, comma-separated; `none` for no group'),
  agent: list.optional().describe('Agent emails or ids, comma-separated; `me`, `none`'),
  channel: list.optional().describe('Channels, comma-separated'),
  priority: list.optional().describe('Priorities, comma-separated'),
  tag: list.optional().describe('Tags, comma-separated (any of them)'),
  q: z.string().max(2000).optional().describe('Any filter-language expression, ANDed with the fields above'),
  calendar: z.string().max(100).optional().describe('Speed report: a business calendar id (GET /api/v1/sla/calendars) to count business hours instead of calendar time'),
});
export type ReportQuery = z.input<typeof reportQuery>;

export const reportColumn = z.object({
  key: z.string(),
  label: z.string(),
  kind: z.enum(['text', 'date', 'count', 'minutes', 'rate', 'score']),
});
export type ReportColumn = z.infer<typeof reportColumn>;

export const reportCell = z.union([z.string(), z.number(), z.null()]);
export const reportRow = z.object({
  cells: z.record(z.string(), reportCell),
  /** Per column: a filter expression for GET /api/v1/tickets?q= listing the tickets behind the figure. */
  links: z.record(z.string(), z.string()),
});
export type ReportRow = z.infer<typeof reportRow>;

export const reportTable = z.object({
  id: z.string(),
  title: z.string(),
  /** How the table is best drawn: a time series (line/stacked), a split (bar), a distribution, or only a table. */
  chart: z.enum(['line', 'stacked', 'bar', 'distribution', 'none']),
  /** The figures a bar chart draws, all in one unit (a table may mix counts, minutes and rates); without it, the first four. */
  chartSeries: z.array(z.object({ key: z.string(), label: z.string() })).optional(),
  columns: z.array(reportColumn),
  rows: z.array(reportRow),
  totals: reportRow.nullable(),
});
export type ReportTable = z.infer<typeof reportTable>;

export const reportResponse = z.object({
  report: reportName,
  timeZone: z.string(),
  from: localDate,
  to: localDate,
  interval: z.enum(['day', 'week', 'month']),
  by: reportDimension,
  /** The filter expression every figure was computed over (fields above + q), without the dates. */
  filter: z.string(),
  tables: z.array(reportTable),
  /** How figures are defined and what they leave out. */
  notes: z.array(z.string()),
  generatedAt: isoDateTime,
});
export type ReportResponse = z.infer<typeof reportResponse>;

export const reportParams = z.object({ report: reportName });

export const DIGEST_FREQUENCIES = ['daily', 'weekly'] as const;
export const digestSettings = z.object({
  enabled: z.boolean().default(false),
  frequency: z.enum(DIGEST_FREQUENCIES).default('daily'),
  /** Staff user ids that receive the digest. */
  recipientIds: z.array(z.string().max(100)).max(100).default([]),
  /** Local hour (account time zone) at which it is sent. */
  hour: z.number().int().min(0).max(23).default(7),
  /** Weekly digests: 1 = Monday ... 7 = Sunday. */
  weekday: z.number().int().min(1).max(7).default(1),
  lastSentFor: z.string().nullable().default(null),
});
export type DigestSettings = z.infer<typeof digestSettings>;
export const updateDigestRequest = patchOf(digestSettings.omit({ lastSentFor: true }));

export const REPORT_PRIORITIES = TICKET_PRIORITIES;
export const REPORT_TYPES = TICKET_TYPES;
