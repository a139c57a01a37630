import type { Ctx } from '../../platform/context.js';
import { writeSlaStates, type TicketSla } from './tickets.repository.js';

/** Sets the SLA columns of tickets (no event, no updated_at change: the clock is not an edit). */
export async function setTicketSlaStates(ctx: Ctx, states: readonly { ticketId: string; sla: TicketSla | null }[]): Promise<void> {
  await writeSlaStates(ctx.db, states);
}
