export { registerTicketRoutes } from './tickets.routes.js';
export { applyChanges, deleteTicket, eventsFrom, getTicket, insertNewTicket, recordMessageOnTicket, requireTicketById, type NewTicket } from './tickets.service.js';
export { appendTicketEvents } from './ticket-events.repository.js';
export { saveTicket, type Ticket } from './tickets.repository.js';
export type { TicketStatus, TicketPriority } from './ticket-status.js';
export { presentTicket, presentTickets } from './tickets.presenter.js';

import type { Ctx } from '../../platform/context.js';
import { numbersByIds } from './tickets.repository.js';
/** Ticket numbers by id, for "merged from #12" labels. */
export const ticketNumbersByIds = (ctx: Ctx, ids: readonly string[]): Promise<Map<string, number>> => numbersByIds(ctx.db, ids);
export { registerTicketSubscribers } from './tickets.subscribers.js';
export { registerTicketRealtime, listRooms as ticketListRooms } from './tickets.realtime.js';
export { registerTimeEntryRoutes } from './time-entries.routes.js';
export { registerDashboardRoutes } from './dashboard.routes.js';
export { findChangeActor } from './ticket-activity.repository.js';
