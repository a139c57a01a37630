import { definePort } from '../../platform/port.js';
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

const port = definePort<WebhookReferences>('WebhookReferences');
export const registerWebhookReferences = port.register;
export const webhookReferences = port.get;

