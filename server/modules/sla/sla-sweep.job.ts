import { z } from 'zod';
import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { emit } from '../../platform/events/emit.js';
import { defineJob } from '../../platform/jobs/define-job.js';
import { findTicketsByIds, setTicketSlaStates } from '../tickets/index.js';
import { findDueChecks, markChecked } from './ticket-sla.repository.js';

const BATCH = 500;

/**
 * Emits sla.warning and sla.breached for targets whose time came. Reads one range of the
 * partial next_check_at index per batch, so the cost follows the number of clocks due, not the
 * number of tickets; each target is warned and breached at most once (the row records it and
 * moves its next check on in the same transaction as the event).
 */
export async function sweepSla(ctx: Ctx): Promise<{ warned: number; breached: number }> {
  let warned = 0;
  let breached = 0;
  for (;;) {
    const n = await inTransaction(ctx, async (tx) => {
      const now = tx.now.toISOString();
      const due = await findDueChecks(tx.db, now, BATCH);
      if (due.length === 0) return 0;
      const tickets = new Map((await findTicketsByIds(tx.db, due.map((d) => d.ticketId))).map((t) => [t.id, t]));
      for (const d of due) {
        const t = tickets.get(d.ticketId);
        if (!t) {
          await markChecked(tx.db, d.ticketId, d.target, { warnedAt: d.warnedAt, breachedAt: d.breachedAt, nextCheckAt: null });
          continue;
        }
        const payload = { ticketId: t.id, number: t.number, target: d.target, dueAt: d.dueAt, policyId: d.policyId, assigneeId: t.assigneeId, groupId: t.groupId };
        if (d.dueAt <= now && !d.breachedAt) {
          // Past due already: a late warning would only be noise next to the breach.
          await markChecked(tx.db, d.ticketId, d.target, { warnedAt: d.warnedAt ?? now, breachedAt: now, nextCheckAt: null });
          await emit(tx, 'sla.breached', payload);
          if (t.sla && t.sla.target === d.target && !t.sla.breached) await setTicketSlaStates(tx, [{ ticketId: t.id, sla: { ...t.sla, breached: true } }]);
          breached += 1;
        } else if (!d.warnedAt) {
          await markChecked(tx.db, d.ticketId, d.target, { warnedAt: now, breachedAt: null, nextCheckAt: d.dueAt });
          await emit(tx, 'sla.warning', payload);
          warned += 1;
        } else {
          await markChecked(tx.db, d.ticketId, d.target, { warnedAt: d.warnedAt, breachedAt: d.breachedAt, nextCheckAt: d.breachedAt ? null : d.dueAt });
        }
      }
      return due.length;
    });
    if (n < BATCH) break;
  }
  return { warned, breached };
}

export const slaSweepJob = defineJob({
  name: 'sla.sweep',
  payload: z.object({}).passthrough(),
  ownTransactions: true,
  attempts: 3,
  handler: async (ctx) => {
    await sweepSla(ctx);
  },
});
