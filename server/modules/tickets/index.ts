export { registerTicketRoutes } from './tickets.routes.js';
export { applyChanges, currentTicketById, deleteTicket, eventsFrom, getTicket, getTicketOf, insertNewTicket, insertNewTickets, recordMessageOnTicket, requireTicketById, ticketClosed, ticketSearchText, type NewTicket } from './tickets.service.js';
export { appendTicketEvents } from './ticket-events.repository.js';
export { checkCustomFieldValues, listCustomFields } from './custom-fields.service.js';
export { saveTicket, type Ticket } from './tickets.repository.js';
export type { TicketStatus, TicketPriority } from './ticket-status.js';
export { presentTicket, presentTickets } from './tickets.presenter.js';
export { canSeeTicket } from './tickets.policy.js';
export { mergedAway } from './merged-away.js';

import type { Ctx } from '../../platform/context.js';
import { assigneeOf, numbersByIds } from './tickets.repository.js';
/** Ticket numbers by id, for "merged from #12" labels. */
export const ticketNumbersByIds = (ctx: Ctx, ids: readonly string[]): Promise<Map<string, number>> => numbersByIds(ctx.db, ids);
/** Who a ticket is assigned to (null: no one; undefined: no such ticket), for subscribers that need only that. */
export const ticketAssignee = (ctx: Ctx, id: string): Promise<string | null | undefined> => assigneeOf(ctx.db, id);
export { registerTicketSubscribers } from './tickets.subscribers.js';
export { registerTicketRealtime, listRooms as ticketListRooms, ticketsOfEvents } from './tickets.realtime.js';
export { registerTimeEntryRoutes } from './time-entries.routes.js';
export { logTime } from './time-entries.service.js';
export { registerDashboardRoutes } from './dashboard.routes.js';
// Reports show the same "today" figures from the same queries as the workspace mini dashboard.
export { getDashboard } from './dashboard.service.js';
export { findChangeActor, findLastChangeActor } from './ticket-activity.repository.js';
// The customer portal lists a customer's (or their organization's) tickets through the filter language.
export { listTickets } from './ticket-queries.service.js';
// The filter language for rules (automations): parse, resolve, evaluate on one ticket, or select matching tickets in keyset pages.
export { parseFilter } from './filter/filter-parser.js';
export { matchesFilter, type TicketFacts } from './filter/filter-evaluator.js';
export type { ResolvedFilter } from './filter/filter-ast.js';
export { predicatesFor, resolve as resolveTicketFilter } from './ticket-filter.js';
export { countTickets, filterTicketIds, findTicketPage, findTicketsByIds, ticketHeadsAfter, type TicketPredicate } from './tickets.repository.js';
// The sla module writes the denormalised next-due SLA state (list, filters `sla:` / `due<`, overdue view).
export { setTicketSlaStates } from './ticket-sla-state.js';
export type { TicketSla, SlaTargetName } from './tickets.repository.js';
