import type { Ctx } from '../../platform/context.js';
import { writeSlaState, type TicketSla } from './tickets.repository.js';

/** Sets the SLA columns of a ticket (no event, no updated_at change: the clock is not an edit). */
export async function setTicketSlaState(ctx: Ctx, ticketId: string, sla: TicketSla | null): Promise<void> {
  await writeSlaState(ctx.db, ticketId, sla);
}
