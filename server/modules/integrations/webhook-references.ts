import type { Ctx } from '../../platform/context.js';

/** A rule that names a webhook, as the 409 of a refused delete lists it. */
export interface RuleRef {
  id: string;
  name: string;
}

/**
 * What automations holds of the webhooks, asked before one is deleted: a rule's send-webhook
 * action naming a deleted webhook would send nothing ever again. Neither module may import the
 * other (same tier, DESIGN.md 4), so automations answers for its rules and the composition root
 * (main.ts, beside the event subscribers) hands the answer in at start.
 */
export interface WebhookReferences {
  rulesUsingWebhook(ctx: Ctx, webhookId: string): Promise<RuleRef[]>;
}

let references: WebhookReferences | null = null;

export function registerWebhookReferences(answers: WebhookReferences): void {
  references = answers;
}

export function webhookReferences(): WebhookReferences {
  // Unwired, a delete would pass without the check being made: fail loudly instead.
  if (!references) throw new Error('integrations: registerWebhookReferences() was not called at start');
  return references;
}

/** `"Pager", "CRM sync"` (the first few), for a 409's message; the details carry every id. */
export const ruleNames = (rules: readonly RuleRef[]): string =>
  rules.slice(0, 5).map((r) => JSON.stringify(r.name)).join(', ') + (rules.length > 5 ? ` and ${rules.length - 5} more` : '');
