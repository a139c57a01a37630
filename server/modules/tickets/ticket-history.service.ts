import type { TicketEventAction } from '../../../contracts/tickets.js';
import type { Ctx } from '../../platform/context.js';
import { listTicketEvents, type TicketEvent } from './ticket-events.repository.js';
import { getTicket } from './tickets.service.js';

export async function listEvents(
  ctx: Ctx,
  number: number,
  opts: { actions?: TicketEventAction[] | undefined; from?: string | undefined; to?: string | undefined; after?: { at: string; id: string } | undefined; limit: number },
): Promise<TicketEvent[]> {
  const ticket = await getTicket(ctx, number);
  return listTicketEvents(ctx.db, { ticketId: ticket.id, ...opts, customerView: ctx.actor.type === 'customer' });
}
