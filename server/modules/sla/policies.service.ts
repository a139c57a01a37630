import type { z } from 'zod';
import type { createPolicyRequest, PolicyResponse, updatePolicyRequest } from '../../../contracts/sla.js';
import { recordAudit } from '../../platform/audit/audit.repository.js';
import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { conflict, invalidField, notFound } from '../../platform/errors.js';
import { uuidv7 } from '../../platform/ids.js';
import { requireAdmin } from '../auth/index.js';
import { parseFilter, resolveTicketFilter } from '../tickets/index.js';
import { deletePolicyRow, findCalendarRow, findPolicyRow, listPolicyRows, savePolicyRow, type Policy } from './sla-config.repository.js';
import { openMinutesWithinThreeYears, targetBeyond } from './sla-clock.js';
import { enqueuePolicyRecompute } from './sla-recompute.job.js';
import { namedFew } from '../../platform/port.js';
import { slaReferences } from './sla-references.js';

export const presentPolicy = (p: Policy): PolicyResponse => ({ ...p });

export async function listPolicies(ctx: Ctx): Promise<Policy[]> {
  requireAdmin(ctx.actor);
  return listPolicyRows(ctx.db);
}

/** Policy names by id, for whoever reads reports (a deleted policy is absent). */
export async function policyNames(ctx: Ctx): Promise<Map<string, string>> {
  return new Map((await listPolicyRows(ctx.db)).map((p) => [p.id, p.name]));
}

export async function getPolicy(ctx: Ctx, id: string): Promise<Policy> {
  const p = await findPolicyRow(ctx.db, id);
  if (!p) throw notFound('SLA policy');
  return p;
}

/**
 * The condition must parse and name things that exist; business time needs a calendar, whose
 * open hours must reach every target. `timing` false (an update leaving targets, business time
 * and calendar alone) skips the reach: a rename must not wait on a calendar saved before it
 * was checked.
 */
async function validate(ctx: Ctx, p: Policy, timing = true): Promise<void> {
  if (p.condition !== '') await resolveTicketFilter(ctx, parseFilter(p.condition));
  const calendar = p.calendarId ? await findCalendarRow(ctx.db, p.calendarId) : undefined;
  if (p.calendarId && !calendar) throw invalidField('calendarId', 'unknown business calendar');
  if (p.businessTime && !calendar) throw invalidField('calendarId', 'business time needs a calendar');
  if (!timing || !p.businessTime || !calendar) return;
  const open = openMinutesWithinThreeYears(calendar, ctx.now);
  const beyond = targetBeyond(p.targets, open);
  if (beyond) throw invalidField(beyond.path, `${beyond.minutes} minutes is more than the open time of calendar "${calendar.name}" in three years (${open} minutes); its due time would never come`);
}

export async function createPolicy(ctx: Ctx, input: z.output<typeof createPolicyRequest>): Promise<Policy> {
  requireAdmin(ctx.actor);
  const at = ctx.now.toISOString();
  const p: Policy = { id: uuidv7(ctx.now.getTime()), ...input, createdAt: at, updatedAt: at };
  await validate(ctx, p);
  await inTransaction(ctx, async (tx) => {
    await savePolicyRow(tx.db, p, true);
    await recordAudit(tx, 'sla_policy.created', { type: 'sla_policy', id: p.id }, { name: p.name });
  });
  return p;
}

/** Changing a policy re-times every ticket under it (a job, batched); new tickets pick it by condition. */
export async function updatePolicy(ctx: Ctx, id: string, input: z.output<typeof updatePolicyRequest>): Promise<Policy> {
  requireAdmin(ctx.actor);
  return inTransaction(ctx, async (tx) => {
    const before = await getPolicy(tx, id);
    const next: Policy = { ...before, ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)), updatedAt: tx.now.toISOString() };
    await validate(tx, next, input.targets !== undefined || input.businessTime !== undefined || input.calendarId !== undefined);
    await savePolicyRow(tx.db, next, false);
    await enqueuePolicyRecompute(tx, id);
    await recordAudit(tx, 'sla_policy.updated', { type: 'sla_policy', id }, { name: next.name, changed: Object.keys(input).filter((k) => input[k as keyof typeof input] !== undefined) });
    return next;
  });
}

/** Tickets under a deleted policy are matched again against the remaining ones. */
export async function deletePolicy(ctx: Ctx, id: string): Promise<void> {
  requireAdmin(ctx.actor);
  await inTransaction(ctx, async (tx) => {
    const p = await getPolicy(tx, id);
    // A rule's apply-SLA action naming a deleted policy is skipped on every run: refused instead.
    const rules = await slaReferences().rulesUsingPolicy(tx, id);
    if (rules.length > 0) throw conflict(`The SLA policy is used by automation rules (${namedFew(rules)}); change them first`, { ruleIds: rules.map((r) => r.id) });
    await deletePolicyRow(tx.db, id);
    await enqueuePolicyRecompute(tx, id);
    await recordAudit(tx, 'sla_policy.deleted', { type: 'sla_policy', id }, { name: p.name });
  });
}
