import { definePort } from '../../platform/port.js';
import type { Ctx } from '../../platform/context.js';
import { invalidField } from '../../platform/errors.js';
import { listMailboxRows } from '../channels/index.js';
import { listRuleRows, type Rule } from './automations.repository.js';
import { calendarExists, policyIds } from './sla-port.js';

type Named = Pick<Rule, 'conditions' | 'actions'>;

/** The things of other modules a rule names, each with its path in the rule (errors name the field). */
interface Reference {
  kind: 'mailbox' | 'calendar' | 'policy' | 'webhook';
  id: string;
  path: string;
}

function referencesOf(rule: Named): Reference[] {
  const out: Reference[] = [];
  rule.conditions.mailboxIds?.forEach((id, i) => out.push({ kind: 'mailbox', id, path: `conditions.mailboxIds.${i}` }));
  if (rule.conditions.businessHours) out.push({ kind: 'calendar', id: rule.conditions.businessHours.calendarId, path: 'conditions.businessHours.calendarId' });
  rule.actions.forEach((a, i) => {
    if (a.type === 'apply_sla') out.push({ kind: 'policy', id: a.policyId, path: `actions.${i}.policyId` });
    if (a.type === 'send_webhook') out.push({ kind: 'webhook', id: a.webhookId, path: `actions.${i}.webhookId` });
  });
  return out;
}

/**
 * What automations needs of integrations, which it may not import (same tier, DESIGN.md 4): whether
 * the webhooks a rule names exist and are on. The composition root (main.ts) hands it in at start.
 */
export interface AutomationReferences {
  webhooks(ctx: Ctx, ids: readonly string[]): Promise<{ id: string; active: boolean }[]>;
}

const port = definePort<AutomationReferences>('AutomationReferences');
export const registerAutomationReferences = port.register;
export const automationReferences = port.get;

/**
 * Every mailbox, calendar, SLA policy and webhook the rule names exists: a rule naming a missing
 * one is saved without complaint but never fires (or skips that action) on every run.
 */
export async function assertReferencesExist(ctx: Ctx, rule: Named): Promise<void> {
  const refs = referencesOf(rule);
  if (refs.length === 0) return;
  const ids = (kind: Reference['kind']) => refs.filter((r) => r.kind === kind).map((r) => r.id);
  const known = new Set<string>();
  if (ids('mailbox').length > 0) for (const m of await listMailboxRows(ctx.db)) known.add(m.id);
  if (ids('policy').length > 0) for (const id of await policyIds(ctx)) known.add(id);
  for (const id of ids('calendar')) if (await calendarExists(ctx, id)) known.add(id);
  if (ids('webhook').length > 0) for (const w of await automationReferences().webhooks(ctx, ids('webhook'))) known.add(w.id);
  const what = { mailbox: 'unknown mailbox', calendar: 'unknown business calendar', policy: 'unknown SLA policy', webhook: 'unknown webhook' };
  for (const r of refs) if (!known.has(r.id)) throw invalidField(r.path, what[r.kind]);
}

/**
 * The rules (active or not: one switched on later would be as broken) that name a calendar,
 * policy or webhook, for the modules owning those, which refuse to delete one still in use.
 */
async function rulesNaming(ctx: Ctx, kind: Exclude<Reference['kind'], 'mailbox'>, id: string): Promise<{ id: string; name: string }[]> {
  const rules = await listRuleRows(ctx.db);
  return rules.filter((r) => referencesOf(r).some((ref) => ref.kind === kind && ref.id === id)).map((r) => ({ id: r.id, name: r.name }));
}

export const rulesUsingCalendar = (ctx: Ctx, id: string) => rulesNaming(ctx, 'calendar', id);
export const rulesUsingPolicy = (ctx: Ctx, id: string) => rulesNaming(ctx, 'policy', id);
export const rulesUsingWebhook = (ctx: Ctx, id: string) => rulesNaming(ctx, 'webhook', id);
