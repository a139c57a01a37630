import type { Ctx } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import { applySlaPolicy, getCalendar, isWithinBusinessHours } from '../sla/index.js';

/**
 * The few things automations use from the sla module (same tier, allowed by ADR 0007): applying
 * a policy and reading business hours. Kept in one file so the seam is visible.
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
