import type { z } from 'zod';
import type { createRuleRequest, RuleAction, updateRuleRequest } from '../../../contracts/automations.js';
import { recordAudit } from '../../platform/audit/audit.repository.js';
import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { AppError, invalidField, notFound } from '../../platform/errors.js';
import { uuidv7 } from '../../platform/ids.js';
import { findUsersByIds, listGroups, requireAdmin, requireSupervisor } from '../auth/index.js';
import { checkCustomFieldValues } from '../tickets/index.js';
import { deleteRuleRow, findRuleById, insertRule, listRuleRows, setPositions, updateRuleRow, type Rule, type RuleKind } from './automations.repository.js';
import { resolveRuleFilter } from './rule-facts.js';
import { assertReferencesExist } from './rule-references.js';
import { templateError } from './rule-mail.js';

type CreateRule = z.output<typeof createRuleRequest>;
type UpdateRule = z.output<typeof updateRuleRequest>;

export async function listRules(ctx: Ctx, kind?: RuleKind): Promise<Rule[]> {
  requireSupervisor(ctx.actor);
  return listRuleRows(ctx.db, kind ? { kinds: [kind] } : {});
}

export async function getRule(ctx: Ctx, id: string): Promise<Rule> {
  requireSupervisor(ctx.actor);
  const rule = await findRuleById(ctx.db, id);
  if (!rule) throw notFound('Rule');
  return rule;
}

// A domain name: dot-separated labels of letters, digits and inner hyphens (IDNs as written).
const DOMAIN = /^(?=.{1,253}$)(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;

/** Requester domains are plain names: one that is not could never match an address. */
function assertDomains(domains: readonly string[] | undefined): void {
  domains?.forEach((d, i) => {
    const path = `conditions.emailDomains.${i}`;
    if (d.startsWith('@')) throw invalidField(path, `write the domain without "@": ${d.slice(1)}`);
    if (!DOMAIN.test(d)) throw invalidField(path, `"${d}" is not a domain name, e.g. example.com`);
  });
}

/** A "set custom fields" action is checked as a ticket edit checks its fields, named by the action's path. */
async function assertCustomFieldValues(ctx: Ctx, at: string, values: Record<string, unknown>): Promise<void> {
  try {
    await checkCustomFieldValues(ctx, values);
  } catch (err) {
    const field = err instanceof AppError && err.code === 'validation_failed' ? (err.details as { fields?: { path: string; message: string }[] } | null)?.fields?.[0] : undefined;
    if (!field?.path.startsWith('customFields.')) throw err;
    throw invalidField(`${at}.values.${field.path.slice('customFields.'.length)}`, field.message);
  }
}

/**
 * Checks what the schema cannot: the filter resolves, named groups, agents, mailboxes, calendars,
 * SLA policies and webhooks exist, custom field values fit their fields, templates parse.
 */
async function validate(ctx: Ctx, rule: Pick<Rule, 'kind' | 'events' | 'conditions' | 'actions'>): Promise<void> {
  if (rule.kind === 'trigger' && rule.events.length === 0) throw invalidField('events', 'a trigger needs at least one event');
  if (rule.kind !== 'trigger' && rule.events.length > 0) throw invalidField('events', `${rule.kind} rules do not take events`);
  // A time rule's filter is what the sweep selects by (through the indexes): it must narrow.
  if (rule.kind === 'time' && !rule.conditions.filter.trim()) throw invalidField('conditions.filter', 'a time rule needs a filter, e.g. "status:waiting updated>3d"');
  await resolveRuleFilter(ctx, rule.conditions.filter);
  assertDomains(rule.conditions.emailDomains);
  const groupIds = new Set<string>();
  const userIds = new Set<string>();
  const paths = new Map<string, string>();
  for (const [i, a] of rule.actions.entries()) {
    const at = `actions.${i}`;
    const group = (id: string, path: string) => {
      groupIds.add(id);
      paths.set(id, path);
    };
    const user = (id: string, path: string) => {
      userIds.add(id);
      paths.set(id, path);
    };
    if (a.type === 'set_group' || a.type === 'escalate') group(a.groupId, `${at}.groupId`);
    if (a.type === 'assign' && a.userId) user(a.userId, `${at}.userId`);
    if (a.type === 'notify') {
      a.userIds.forEach((u, k) => user(u, `${at}.userIds.${k}`));
      a.groupIds.forEach((g, k) => group(g, `${at}.groupIds.${k}`));
      if (a.userIds.length + a.groupIds.length === 0) throw invalidField(`${at}.userIds`, 'name at least one agent or group');
    }
    if (a.type === 'email_customer') {
      for (const f of ['subject', 'body'] as const) {
        const err = templateError(a[f]);
        if (err) throw invalidField(`${at}.${f}`, `template error: ${err}`);
      }
    }
    if (a.type === 'set_custom_fields') await assertCustomFieldValues(ctx, at, a.values);
    if (a.type === 'stop' && i !== rule.actions.length - 1) throw invalidField(at, '"stop" must be the last action');
  }
  await assertReferencesExist(ctx, rule);
  const groups = new Set((await listGroups(ctx.db, [...groupIds])).map((g) => g.id));
  for (const g of groupIds) if (!groups.has(g)) throw invalidField(paths.get(g)!, 'unknown group');
  const users = await findUsersByIds(ctx.db, [...userIds]);
  for (const u of userIds) {
    const found = users.find((x) => x.id === u);
    if (!found || !found.active || found.role === 'customer') throw invalidField(paths.get(u)!, 'is not an active agent');
  }
}

/** Puts `id` at `position` in its kind's order and renumbers the rest. */
async function place(ctx: Ctx, kind: RuleKind, id: string, position: number | undefined): Promise<void> {
  const ids = (await listRuleRows(ctx.db, { kinds: [kind] })).map((r) => r.id).filter((x) => x !== id);
  ids.splice(position === undefined ? ids.length : Math.min(position, ids.length), 0, id);
  await setPositions(ctx.db, ids);
}

export async function createRule(ctx: Ctx, input: CreateRule): Promise<Rule> {
  requireAdmin(ctx.actor);
  return inTransaction(ctx, async (tx) => {
    const at = tx.now.toISOString();
    const rule: Rule = { id: uuidv7(tx.now.getTime()), name: input.name, kind: input.kind, events: input.events, position: 1_000_000, active: input.active, conditions: input.conditions, actions: input.actions as RuleAction[], createdAt: at, updatedAt: at };
    await validate(tx, rule);
    await insertRule(tx.db, rule);
    await place(tx, rule.kind, rule.id, input.position);
    await recordAudit(tx, 'automations.rule_created', { type: 'automation_rule', id: rule.id }, { name: rule.name, kind: rule.kind });
    return (await findRuleById(tx.db, rule.id))!;
  });
}

export async function updateRule(ctx: Ctx, id: string, input: UpdateRule): Promise<Rule> {
  requireAdmin(ctx.actor);
  return inTransaction(ctx, async (tx) => {
    const before = await findRuleById(tx.db, id);
    if (!before) throw notFound('Rule');
    const after: Rule = {
      ...before,
      name: input.name ?? before.name,
      events: input.events ?? before.events,
      active: input.active ?? before.active,
      conditions: input.conditions ?? before.conditions,
      actions: (input.actions as RuleAction[] | undefined) ?? before.actions,
      updatedAt: tx.now.toISOString(),
    };
    await validate(tx, after);
    await updateRuleRow(tx.db, after);
    if (input.position !== undefined) await place(tx, after.kind, id, input.position);
    await recordAudit(tx, 'automations.rule_updated', { type: 'automation_rule', id }, { changed: Object.keys(input) });
    return (await findRuleById(tx.db, id))!;
  });
}

export async function deleteRule(ctx: Ctx, id: string): Promise<void> {
  requireAdmin(ctx.actor);
  await inTransaction(ctx, async (tx) => {
    const rule = await findRuleById(tx.db, id);
    if (!rule) throw notFound('Rule');
    await deleteRuleRow(tx.db, id);
    await setPositions(tx.db, (await listRuleRows(tx.db, { kinds: [rule.kind] })).map((r) => r.id));
    await recordAudit(tx, 'automations.rule_deleted', { type: 'automation_rule', id }, { name: rule.name });
  });
}
