import { definePort } from '../../platform/port.js';
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

const port = definePort<SlaReferences>('SlaReferences');
export const registerSlaReferences = port.register;
export const slaReferences = port.get;

