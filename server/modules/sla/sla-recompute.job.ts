import { z } from 'zod';
import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { defineJob, enqueue } from '../../platform/jobs/define-job.js';
import { findPolicyRow } from './sla-config.repository.js';
import { refreshTicketSla } from './ticket-sla.service.js';
import { ticketIdsUnderPolicy } from './ticket-sla.repository.js';

const PAGE = 500;

/**
 * Re-times every ticket under a policy after the policy (or its calendar) changed. Pages of
 * tickets, each in its own transaction, so a million tickets never hold the writer at once.
 * A deleted or deactivated policy lets its tickets be matched again.
 */
export async function recomputePolicy(ctx: Ctx, policyId: string): Promise<number> {
  const policy = await findPolicyRow(ctx.db, policyId);
  const rematch = !policy || !policy.active;
  let after: string | null = null;
  let total = 0;
  for (;;) {
    const ids = await ticketIdsUnderPolicy(ctx.db, policyId, after, PAGE);
    if (ids.length === 0) break;
    await inTransaction(ctx, async (tx) => {
      for (const id of ids) await refreshTicketSla(tx, id, { rematch });
    });
    total += ids.length;
    after = ids[ids.length - 1]!;
    if (ids.length < PAGE) break;
  }
  return total;
}

export const recomputePolicyJob = defineJob({
  name: 'sla.recompute_policy',
  payload: z.object({ policyId: z.string() }),
  ownTransactions: true,
  handler: async (ctx, p) => {
    await recomputePolicy(ctx, p.policyId);
  },
});

export async function enqueuePolicyRecompute(ctx: Ctx, policyId: string): Promise<void> {
  await enqueue(ctx, recomputePolicyJob, { policyId }, { uniqueKey: `sla-recompute:${policyId}` });
}
