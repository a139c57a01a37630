import type { EventPayload } from '../../../contracts/events.js';
import type { AnyDb } from '../../platform/db/dialect/types.js';
import type { OutboxEvent } from '../../platform/events/outbox.repository.js';
import type { Push, Realtime } from '../../platform/realtime/realtime.js';
import { canSeeTicket } from './tickets.policy.js';
import { findTicketByNumber, findTicketsByIds, type Ticket } from './tickets.repository.js';

/** Which ticket field each change action touches, so the UI knows which columns to refresh. */
const FIELD_OF_ACTION: Record<string, string> = {
  subject_changed: 'subject',
  status_changed: 'status',
  priority_changed: 'priority',
  type_changed: 'type',
  group_changed: 'groupId',
  assigned: 'assigneeId',
  tags_changed: 'tags',
  custom_fields_changed: 'customFields',
  marked_spam: 'spam',
  unmarked_spam: 'spam',
};

/** The rooms that list this ticket: everyone's queue, its group's, its assignee's. */
export function listRooms(t: Pick<Ticket, 'groupId' | 'assigneeId'>): string[] {
  return ['queue', ...(t.groupId ? [`group:${t.groupId}`] : []), ...(t.assigneeId ? [`agent:${t.assigneeId}`] : [])];
}

/** The tickets a run of events is about, read together (a deleted one is absent). */
export async function ticketsOfEvents(events: readonly OutboxEvent[], db: AnyDb): Promise<Map<string, Ticket>> {
  const tickets = await findTicketsByIds(db, events.map((e) => (e.payload as { ticketId: string }).ticketId));
  return new Map(tickets.map((t) => [t.id, t]));
}

/**
 * The tickets module's part of realtime: who may watch `ticket:<number>` (the same rule as
 * reading the ticket), and how ticket events become pushes. Assignments, groups and changes
 * go to staff only; a customer watching their ticket learns only of status changes.
 */
export function registerTicketRealtime(realtime: Realtime): void {
  realtime.room('ticket', async (actor, key, db) => {
    const t = await findTicketByNumber(db, Number(key));
    return t !== undefined && canSeeTicket(actor, t);
  });

  // Each projection reads the tickets of all the batch's events of its name at once.
  const withTickets = (name: string, push: (event: OutboxEvent, t: Ticket | undefined) => Omit<Push, 'at'>[]) =>
    realtime.projectRun(name, async (events, db) => {
      const tickets = await ticketsOfEvents(events, db);
      return events.map((event) => push(event, tickets.get((event.payload as { ticketId: string }).ticketId)));
    });

  withTickets('ticket.created', (event, t) => {
    if (!t) return [];
    const data = { ticketId: t.id, number: t.number, status: t.status, priority: t.priority, assigneeId: t.assigneeId, groupId: t.groupId };
    return [{ rooms: [...listRooms(t), `ticket:${t.number}`], event: event.name, data, staffOnly: true }];
  });

  withTickets('ticket.updated', (event, t) => {
    if (!t) return [];
    const p = event.payload as EventPayload<'ticket.updated'>;
    const fields = [...new Set(p.changes.map((c) => FIELD_OF_ACTION[c] ?? c))];
    const data = { ticketId: t.id, number: t.number, changes: p.changes, fields, status: t.status, priority: t.priority, assigneeId: t.assigneeId, groupId: t.groupId, updatedAt: t.updatedAt };
    return [{ rooms: [...listRooms(t), `ticket:${t.number}`], event: event.name, data, staffOnly: true }];
  });

  withTickets('ticket.status_changed', (event, t) => {
    const p = event.payload as EventPayload<'ticket.status_changed'>;
    const data = { ticketId: p.ticketId, number: p.number, from: p.from, to: p.to };
    return [
      { rooms: t ? listRooms(t) : ['queue'], event: event.name, data, staffOnly: true },
      { rooms: [`ticket:${p.number}`], event: event.name, data, staffOnly: false },
    ];
  });

  withTickets('ticket.assigned', (event, t) => {
    const p = event.payload as EventPayload<'ticket.assigned'>;
    // The previous assignee hears of it too: the ticket leaves their list.
    const rooms = [...(t ? listRooms(t) : ['queue']), ...(p.from ? [`agent:${p.from}`] : []), ...(p.to ? [`agent:${p.to}`] : []), `ticket:${p.number}`];
    return [{ rooms, event: event.name, data: { ticketId: p.ticketId, number: p.number, from: p.from, to: p.to }, staffOnly: true }];
  });

  realtime.project('ticket.time_logged', (event) => {
    const p = event.payload as EventPayload<'ticket.time_logged'>;
    return [{ rooms: [`ticket:${p.number}`], event: event.name, data: { ticketId: p.ticketId, number: p.number, totalMinutes: p.totalMinutes }, staffOnly: true }];
  });
}
