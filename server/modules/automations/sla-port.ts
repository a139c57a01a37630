import type { Ctx } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import { applySlaPolicy, getCalendar, isWithinBusinessHours, policyNames } from '../sla/index.js';

/**
 * The few things automations use from the sla module (same tier, allowed by ADR 0007): applying
 * a policy, reading business hours, and whether the calendars and policies a rule names exist.
 * Kept in one file so the seam is visible.
 */
export async function withinBusinessHours(ctx: Ctx, calendarId: string, at: Date): Promise<boolean | null> {
  try {
    return isWithinBusinessHours(await getCalendar(ctx, calendarId), at);
  } catch (err) {
    // A deleted calendar makes the condition unknown (the rule does not apply), not the run fail.
    if (err instanceof AppError && err.code === 'not_found') return null;
    throw err;
  }
}

/** Applies the policy; a policy that no longer exists is skipped (the rule's other actions still run). */
export async function applyPolicy(ctx: Ctx, ticketId: string, policyId: string): Promise<boolean> {
  try {
    await applySlaPolicy(ctx, { ticketId, policyId });
    return true;
  } catch (err) {
    if (err instanceof AppError && (err.code === 'not_found' || err.code === 'validation_failed' || err.code === 'bad_request')) return false;
    throw err;
  }
}

/** Whether the calendar exists, for a rule that names it when it is saved. */
export async function calendarExists(ctx: Ctx, calendarId: string): Promise<boolean> {
  try {
    await getCalendar(ctx, calendarId);
    return true;
  } catch (err) {
    if (err instanceof AppError && err.code === 'not_found') return false;
    throw err;
  }
}

/** The ids of every SLA policy, for rules that name one when they are saved. */
export async function policyIds(ctx: Ctx): Promise<Set<string>> {
  return new Set((await policyNames(ctx)).keys());
}
