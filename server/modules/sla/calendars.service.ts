import type { z } from 'zod';
import { WEEKDAYS, type CalendarResponse, type createCalendarRequest, type updateCalendarRequest } from '../../../contracts/sla.js';
import { recordAudit } from '../../platform/audit/audit.repository.js';
import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { conflict, invalidField, notFound } from '../../platform/errors.js';
import { uuidv7 } from '../../platform/ids.js';
import { isWithinBusinessHours as withinHours, windowProblem, type BusinessCalendar, type BusinessWindow } from '../../platform/business-time/business-time.js';
import { requireAdmin } from '../auth/index.js';
import { deleteCalendarRow, findCalendarRow, listCalendarRows, listPolicyRows, policiesUsingCalendar, saveCalendarRow, type Calendar } from './sla-config.repository.js';
import { openMinutesWithinThreeYears, targetBeyond } from './sla-clock.js';
import { enqueuePolicyRecompute } from './sla-recompute.job.js';
import { namedFew } from '../../platform/port.js';
import { slaReferences } from './sla-references.js';

type WeeklyInput = z.output<typeof createCalendarRequest>['weeklyHours'];

/** API weekdays (Monday first) to the stored Sunday-first array, validating every day's windows. */
function toWeekArray(weekly: WeeklyInput): BusinessWindow[][] {
  const out: BusinessWindow[][] = [[], [], [], [], [], [], []];
  WEEKDAYS.forEach((day, i) => {
    const windows = weekly[day] ?? [];
    const problem = windowProblem(windows);
    if (problem) throw invalidField(`weeklyHours.${day}`, problem);
    out[(i + 1) % 7] = windows.map((w) => ({ start: w.start, end: w.end }));
  });
  // A calendar that never opens never reaches a due time: every ticket of a business-time
  // policy on it would lose its clocks.
  if (out.every((d) => d.length === 0)) throw invalidField('weeklyHours', 'give at least one open window (a day with start and end)');
  return out;
}

/**
 * New hours or holidays must still reach every target of the business-time policies on the
 * calendar, as a policy saved on it must (policies.service): otherwise their due times never come.
 */
async function checkPoliciesReached(ctx: Ctx, c: Calendar, field: 'weeklyHours' | 'holidays'): Promise<void> {
  const users = (await listPolicyRows(ctx.db)).filter((p) => p.calendarId === c.id && p.businessTime);
  if (users.length === 0) return;
  const open = openMinutesWithinThreeYears(c, ctx.now);
  for (const p of users) {
    const beyond = targetBeyond(p.targets, open);
    if (beyond) throw invalidField(field, `the calendar would be open ${open} minutes in three years, less than the ${beyond.minutes} minutes of policy "${p.name}" (${beyond.path}); its due times would never come`);
  }
}

export const presentCalendar = (c: Calendar): CalendarResponse => ({
  id: c.id,
  name: c.name,
  timeZone: c.timeZone,
  weeklyHours: Object.fromEntries(WEEKDAYS.map((d, i) => [d, c.weeklyHours[(i + 1) % 7] ?? []])) as CalendarResponse['weeklyHours'],
  holidays: c.holidays,
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
});

export async function listCalendars(ctx: Ctx): Promise<Calendar[]> {
  requireAdmin(ctx.actor);
  return listCalendarRows(ctx.db);
}

/** A calendar by id (404 if unknown); for rules and policies as well as the API. */
export async function getCalendar(ctx: Ctx, id: string): Promise<Calendar> {
  const c = await findCalendarRow(ctx.db, id);
  if (!c) throw notFound('Business calendar');
  return c;
}

/** Whether an instant falls in a calendar's open hours (routing rules use it for after-hours). */
export const isWithinBusinessHours = (calendar: BusinessCalendar, at: Date): boolean => withinHours(calendar, at);

export async function createCalendar(ctx: Ctx, input: z.output<typeof createCalendarRequest>): Promise<Calendar> {
  requireAdmin(ctx.actor);
  const at = ctx.now.toISOString();
  const c: Calendar = { id: uuidv7(ctx.now.getTime()), name: input.name, timeZone: input.timeZone, weeklyHours: toWeekArray(input.weeklyHours), holidays: [...new Set(input.holidays)].sort(), createdAt: at, updatedAt: at };
  await inTransaction(ctx, async (tx) => {
    await saveCalendarRow(tx.db, c, true);
    await recordAudit(tx, 'sla_calendar.created', { type: 'sla_calendar', id: c.id }, { name: c.name });
  });
  return c;
}

export async function updateCalendar(ctx: Ctx, id: string, input: z.output<typeof updateCalendarRequest>): Promise<Calendar> {
  requireAdmin(ctx.actor);
  return inTransaction(ctx, async (tx) => {
    const before = await getCalendar(tx, id);
    const next: Calendar = {
      ...before,
      name: input.name ?? before.name,
      timeZone: input.timeZone ?? before.timeZone,
      weeklyHours: input.weeklyHours ? toWeekArray(input.weeklyHours) : before.weeklyHours,
      holidays: input.holidays ? [...new Set(input.holidays)].sort() : before.holidays,
      updatedAt: tx.now.toISOString(),
    };
    if (input.weeklyHours || input.holidays) await checkPoliciesReached(tx, next, input.weeklyHours ? 'weeklyHours' : 'holidays');
    await saveCalendarRow(tx.db, next, false);
    // Due times of every ticket on a policy using this calendar move with it.
    for (const policyId of await policiesUsingCalendar(tx.db, id)) await enqueuePolicyRecompute(tx, policyId);
    await recordAudit(tx, 'sla_calendar.updated', { type: 'sla_calendar', id }, { name: next.name, changed: Object.keys(input).filter((k) => input[k as keyof typeof input] !== undefined) });
    return next;
  });
}

export async function deleteCalendar(ctx: Ctx, id: string): Promise<void> {
  requireAdmin(ctx.actor);
  await inTransaction(ctx, async (tx) => {
    const c = await getCalendar(tx, id);
    const policyIds = await policiesUsingCalendar(tx.db, id);
    // A rule's business-hours condition on a deleted calendar never holds again: refused alike.
    const rules = await slaReferences().rulesUsingCalendar(tx, id);
    if (policyIds.length > 0 || rules.length > 0) {
      const users = [...(policyIds.length > 0 ? ['SLA policies'] : []), ...(rules.length > 0 ? [`automation rules (${namedFew(rules)})`] : [])].join(' and ');
      throw conflict(`The calendar is used by ${users}; change them first`, { policyIds, ruleIds: rules.map((r) => r.id) });
    }
    await deleteCalendarRow(tx.db, id);
    await recordAudit(tx, 'sla_calendar.deleted', { type: 'sla_calendar', id }, { name: c.name });
  });
}
