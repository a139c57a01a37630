import { z } from 'zod';
import { isoDateTime, uuid } from './common.js';
import { calendarDate } from './workspace.js';

export const SLA_TARGETS = ['first_response', 'next_response', 'resolution'] as const;
export type SlaTarget = (typeof SLA_TARGETS)[number];

const hhmm = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be HH:MM (00:00 to 24:00)');
export const businessWindow = z.strictObject({ start: hhmm, end: hhmm });

const timeZone = z
  .string()
  .max(60)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as Europe/Berlin');

/** Monday-first names in the API; stored by weekday index. */
export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export const weeklyHours = z.strictObject(Object.fromEntries(WEEKDAYS.map((d) => [d, z.array(businessWindow).max(6).default([])])) as Record<(typeof WEEKDAYS)[number], z.ZodDefault<z.ZodArray<typeof businessWindow>>>);

export const calendarResponse = z.object({
  id: uuid,
  name: z.string(),
  timeZone: z.string(),
  weeklyHours: z.record(z.enum(WEEKDAYS), z.array(z.object({ start: z.string(), end: z.string() }))),
  holidays: z.array(z.string()),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type CalendarResponse = z.infer<typeof calendarResponse>;

export const createCalendarRequest = z.strictObject({
  name: z.string().trim().min(1).max(200),
  timeZone,
  weeklyHours,
  holidays: z.array(calendarDate).max(1000).default([]),
});
export const updateCalendarRequest = z
  .strictObject({ name: z.string().trim().min(1).max(200).optional(), timeZone: timeZone.optional(), weeklyHours: weeklyHours.optional(), holidays: z.array(calendarDate).max(1000).optional() })
  .refine((v) => Object.values(v).some((x) => x !== undefined), 'give at least one field');

/** Minutes per target; null: no target of that kind for this priority. */
const minutes = z.number().int().min(1).max(365 * 24 * 60).nullable();
export const priorityTargets = z.strictObject({ firstResponse: minutes.default(null), nextResponse: minutes.default(null), resolution: minutes.default(null) });
export const policyTargets = z.strictObject({ low: priorityTargets, medium: priorityTargets, high: priorityTargets, urgent: priorityTargets });
export type PolicyTargets = z.infer<typeof policyTargets>;

export const policyResponse = z.object({
  id: uuid,
  name: z.string(),
  position: z.number().int(),
  /** A filter-language expression; empty matches every ticket. */
  condition: z.string(),
  targets: policyTargets,
  /** true: targets count open hours of the calendar; false: elapsed (calendar) time. */
  businessTime: z.boolean(),
  calendarId: uuid.nullable(),
  /** Share of the allowed time after which sla.warning is emitted. */
  warningPercent: z.number().int(),
  active: z.boolean(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type PolicyResponse = z.infer<typeof policyResponse>;

export const createPolicyRequest = z.strictObject({
  name: z.string().trim().min(1).max(200),
  position: z.number().int().min(-1_000_000).max(1_000_000).default(0),
  condition: z.string().trim().max(2000).default(''),
  targets: policyTargets,
  businessTime: z.boolean().default(false),
  calendarId: uuid.nullable().default(null),
  warningPercent: z.number().int().min(1).max(99).default(75),
  active: z.boolean().default(true),
});
export const updatePolicyRequest = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    position: z.number().int().min(-1_000_000).max(1_000_000).optional(),
    condition: z.string().trim().max(2000).optional(),
    targets: policyTargets.optional(),
    businessTime: z.boolean().optional(),
    calendarId: uuid.nullable().optional(),
    warningPercent: z.number().int().min(1).max(99).optional(),
    active: z.boolean().optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), 'give at least one field');

/** One target of a ticket's SLA, as GET /tickets/:number/sla shows it. */
export const ticketSlaTargetResponse = z.object({
  target: z.enum(SLA_TARGETS),
  minutes: z.number().int(),
  startAt: isoDateTime,
  dueAt: isoDateTime,
  metAt: isoDateTime.nullable(),
  warnedAt: isoDateTime.nullable(),
  breachedAt: isoDateTime.nullable(),
});
export const ticketSlaResponse = z.object({
  policy: z.object({ id: uuid, name: z.string() }).nullable(),
  paused: z.boolean(),
  targets: z.array(ticketSlaTargetResponse),
});
export const applyPolicyRequest = z.strictObject({ policyId: uuid });
