import type { z } from 'zod';
import type { bulkUpdateRequest } from '../../../contracts/tickets.js';
import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { AppError } from '../../platform/errors.js';
import { assertCanEdit, assertCanManageSpam, canSeeTicket } from './tickets.policy.js';
import { findTicketsByNumbers } from './tickets.repository.js';
import { applyChanges, assertAssignable } from './tickets.service.js';

/**
 * One change applied to many tickets in a single transaction: either every ticket changes or,
 * when any cannot (unknown, not visible, invalid status move), none does and the error names it.
 */
export async function bulkUpdate(ctx: Ctx, input: z.output<typeof bulkUpdateRequest>): Promise<number[]> {
  assertCanEdit(ctx.actor);
  if (input.changes.spam !== undefined) assertCanManageSpam(ctx.actor, false);
  if (Object.values(input.changes).every((v) => v === undefined)) throw new AppError('validation_failed', 'changes: nothing to change', { fields: [{ path: 'body.changes', message: 'nothing to change' }] });
  return inTransaction(ctx, async (tx) => {
    await assertAssignable(tx, input.changes.assigneeId, input.changes.groupId);
    const tickets = await findTicketsByNumbers(tx.db, input.numbers, { lock: true });
    const visible = new Map(tickets.filter((t) => canSeeTicket(tx.actor, t)).map((t) => [t.number, t]));
    const missing = [...new Set(input.numbers)].filter((n) => !visible.has(n));
    if (missing.length) throw new AppError('not_found', `Ticket(s) not found: ${missing.map((n) => `#${n}`).join(', ')}`, { numbers: missing });
    const updated: number[] = [];
    for (const ticket of visible.values()) {
      const after = await applyChanges(tx, ticket, input.changes, { bulk: true });
      if (after !== ticket) updated.push(ticket.number);
    }
    return updated;
  });
}
