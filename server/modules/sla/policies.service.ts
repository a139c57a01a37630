import type { z } from 'zod';
import type { createPolicyRequest, PolicyResponse, updatePolicyRequest } from '../../../contracts/sla.js';
import { recordAudit } from '../../platform/audit/audit.repository.js';
import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { invalidField, notFound } from '../../platform/errors.js';
import { uuidv7 } from '../../platform/ids.js';
import { requireAdmin } from '../auth/index.js';
import { parseFilter, resolveTicketFilter } from '../tickets/index.js';
import { deletePolicyRow, findCalendarRow, findPolicyRow, listPolicyRows, savePolicyRow, type Policy } from './sla-config.repository.js';
import { enqueuePolicyRecompute } from './sla-recompute.job.js';

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

/** The condition must parse and name things that exist; business time needs a calendar. */
async function validate(ctx: Ctx, p: Policy): Promise<void> {
  if (p.condition !== '') await resolveTicketFilter(ctx, parseFilter(p.condition));
  if (p.calendarId && !(await findCalendarRow(ctx.db, p.calendarId))) throw invalidField('calendarId', 'unknown business calendar');
  if (p.businessTime && !p.calendarId) throw invalidField('calendarId', 'business time needs a calendar');
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
    await validate(tx, next);
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
    await deletePolicyRow(tx.db, id);
    await enqueuePolicyRecompute(tx, id);
    await recordAudit(tx, 'sla_policy.deleted', { type: 'sla_policy', id }, { name: p.name });
  });
}
