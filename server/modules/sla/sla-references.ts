import type { Ctx } from '../../platform/context.js';

/** A rule that names a calendar or policy, as the 409 of a refused delete lists it. */
export interface RuleRef {
  id: string;
  name: string;
}

/**
 * What automations holds of sla's calendars and policies, asked before one is deleted: a rule's
 * business-hours condition or apply-SLA action would otherwise never fire again. automations may
 * import sla but not the reverse (ADR 0007), so it answers for its own rules and the composition
 * root (main.ts, beside the event subscribers) hands the answers in at start.
 */
export interface SlaReferences {
  rulesUsingCalendar(ctx: Ctx, calendarId: string): Promise<RuleRef[]>;
  rulesUsingPolicy(ctx: Ctx, policyId: string): Promise<RuleRef[]>;
}

let references: SlaReferences | null = null;

export function registerSlaReferences(answers: SlaReferences): void {
  references = answers;
}

export function slaReferences(): SlaReferences {
  // Unwired, a delete would pass without the check being made: fail loudly instead.
  if (!references) throw new Error('sla: registerSlaReferences() was not called at start');
  return references;
}

/** `"After hours", "Night shift"` (the first few), for a 409's message; the details carry every id. */
export const ruleNames = (rules: readonly RuleRef[]): string =>
  rules.slice(0, 5).map((r) => JSON.stringify(r.name)).join(', ') + (rules.length > 5 ? ` and ${rules.length - 5} more` : '');
