import type { z } from 'zod';
import { BULK_MAX, type bulkUpdateRequest } from '../../../contracts/tickets.js';
import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { AppError, invalidField } from '../../platform/errors.js';
import { assertCanEdit, assertCanManageSpam, canSeeTicket } from './tickets.policy.js';
import { findTicketsByNumbers, numbersByIds } from './tickets.repository.js';
import { applyChanges, assertAssignable, assertTagRoom, closedTicketEdit, ticketClosed } from './tickets.service.js';

/**
 * One change applied to many tickets in a single transaction: either every ticket changes or,
 * when any cannot (unknown, not visible, closed, invalid status move), none does and the error
 * names it.
 */
export async function bulkUpdate(ctx: Ctx, input: z.output<typeof bulkUpdateRequest>): Promise<number[]> {
  assertCanEdit(ctx.actor);
  if (input.changes.spam !== undefined) assertCanManageSpam(ctx.actor, false);
  if (Object.values(input.changes).every((v) => v === undefined)) throw invalidField('body.changes', 'nothing to change');
  const numbers = input.numbers ?? [];
  const ids = [...new Set(input.ids ?? [])];
  if (numbers.length + ids.length === 0) throw invalidField('body.numbers', 'give the numbers or the ids of the tickets to change');
  if (numbers.length + ids.length > BULK_MAX) throw invalidField('body.numbers', `at most ${BULK_MAX} tickets at once, numbers and ids together`);
  return inTransaction(ctx, async (tx) => {
    await assertAssignable(tx, input.changes.assigneeId, input.changes.groupId);
    // Ids become numbers first so every ticket is locked in one ordered query (no deadlocks between bulk changes).
    const numberOf = await numbersByIds(tx.db, ids);
    const tickets = await findTicketsByNumbers(tx.db, [...numbers, ...numberOf.values()], { lock: true });
    const visible = new Map(tickets.filter((t) => canSeeTicket(tx.actor, t)).map((t) => [t.number, t]));
    const missingNumbers = [...new Set(numbers)].filter((n) => !visible.has(n));
    const missingIds = ids.filter((id) => !visible.has(numberOf.get(id) ?? 0));
    if (missingNumbers.length || missingIds.length) {
      const named = [...missingNumbers.map((n) => `#${n}`), ...missingIds];
      throw new AppError('not_found', `Ticket(s) not found: ${named.join(', ')}`, { numbers: missingNumbers, ids: missingIds });
    }
    // Every closed ticket the change would touch is named at once, so the selection can be fixed
    // in one go; marking or restoring spam (or a value a ticket already has) is no edit.
    const closed = [...visible.values()].filter((t) => closedTicketEdit(t, input.changes, tx.now.toISOString()) !== 'none').map((t) => t.number);
    if (closed.length) throw ticketClosed(closed.sort((a, b) => a - b));
    const updated: number[] = [];
    for (const ticket of visible.values()) assertTagRoom(ticket, input.changes, 'body.changes');
    for (const ticket of visible.values()) {
      const after = await applyChanges(tx, ticket, input.changes, { bulk: true });
      if (after !== ticket) updated.push(ticket.number);
    }
    return updated;
  });
}
