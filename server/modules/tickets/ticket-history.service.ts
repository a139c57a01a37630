import type { TicketEventAction } from '../../../contracts/tickets.js';
import type { Ctx } from '../../platform/context.js';
import { invalidField } from '../../platform/errors.js';
import { listTicketEvents, type TicketEvent } from './ticket-events.repository.js';
import { getTicket } from './tickets.service.js';

/**
 * A ticket's events in [from, to]: `to` is inclusive, so the exact `at` of an event, used as
 * both ends, finds that event. A range that ends before it starts is a mistake to name, not an
 * empty history.
 */
export async function listEvents(
  ctx: Ctx,
  number: number,
  opts: { actions?: TicketEventAction[] | undefined; from?: string | undefined; to?: string | undefined; after?: { at: string; id: string } | undefined; limit: number },
): Promise<TicketEvent[]> {
  if (opts.from !== undefined && opts.to !== undefined && Date.parse(opts.from) > Date.parse(opts.to)) throw invalidField('querystring.from', 'must not be after to');
  const ticket = await getTicket(ctx, number);
  return listTicketEvents(ctx.db, { ticketId: ticket.id, ...opts, customerView: ctx.actor.type === 'customer' });
}
