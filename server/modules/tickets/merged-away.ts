import type { Ctx } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import { canSeeTicket } from './tickets.policy.js';
import type { Ticket } from './tickets.repository.js';
import { requireTicketById } from './tickets.service.js';

/**
 * A ticket merged away takes no more work (messages, logged time). A 409 conflict, not a 400: the
 * request was right when it was sent and lost a race with the merge (or was written from a stale
 * screen), and the answer names where the conversation went on. Kept here, below messages, so
 * the tickets module's own writes refuse it in the same words.
 */
export async function mergedAway(ctx: Ctx, ticket: Ticket): Promise<AppError> {
  const into = await requireTicketById(ctx, ticket.mergedIntoId!);
  // A restricted agent may see a ticket merged into one of another group: it learns that the
  // conversation moved, never the number of a ticket it cannot open.
  if (!canSeeTicket(ctx.actor, into)) {
    return new AppError('conflict', `Ticket #${ticket.number} was merged into a ticket you cannot see`, { number: ticket.number, mergedIntoNumber: null });
  }
  return new AppError('conflict', `Ticket #${ticket.number} was merged into #${into.number}; write on that ticket`, { number: ticket.number, mergedIntoNumber: into.number });
}
