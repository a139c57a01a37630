import type { EventPayload } from '../../../contracts/events.js';
import type { Realtime } from '../../platform/realtime/realtime.js';
import { canSeeTicket } from './tickets.policy.js';
import { findTicketById, findTicketByNumber, type Ticket } from './tickets.repository.js';

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

  realtime.project('ticket.created', async (event, db) => {
    const p = event.payload as EventPayload<'ticket.created'>;
    const t = await findTicketById(db, p.ticketId);
    if (!t) return [];
    const data = { ticketId: t.id, number: t.number, status: t.status, priority: t.priority, assigneeId: t.assigneeId, groupId: t.groupId };
    return [{ rooms: [...listRooms(t), `ticket:${t.number}`], event: event.name, data, staffOnly: true }];
  });

  realtime.project('ticket.updated', async (event, db) => {
    const p = event.payload as EventPayload<'ticket.updated'>;
    const t = await findTicketById(db, p.ticketId);
    if (!t) return [];
    const fields = [...new Set(p.changes.map((c) => FIELD_OF_ACTION[c] ?? c))];
    const data = { ticketId: t.id, number: t.number, changes: p.changes, fields, status: t.status, priority: t.priority, assigneeId: t.assigneeId, groupId: t.groupId, updatedAt: t.updatedAt };
    return [{ rooms: [...listRooms(t), `ticket:${t.number}`], event: event.name, data, staffOnly: true }];
  });

  realtime.project('ticket.status_changed', async (event, db) => {
    const p = event.payload as EventPayload<'ticket.status_changed'>;
    const t = await findTicketById(db, p.ticketId);
    const data = { ticketId: p.ticketId, number: p.number, from: p.from, to: p.to };
    return [
      { rooms: t ? listRooms(t) : ['queue'], event: event.name, data, staffOnly: true },
      { rooms: [`ticket:${p.number}`], event: event.name, data, staffOnly: false },
    ];
  });

  realtime.project('ticket.assigned', async (event, db) => {
    const p = event.payload as EventPayload<'ticket.assigned'>;
    const t = await findTicketById(db, p.ticketId);
    // The previous assignee hears of it too: the ticket leaves their list.
    const rooms = [...(t ? listRooms(t) : ['queue']), ...(p.from ? [`agent:${p.from}`] : []), ...(p.to ? [`agent:${p.to}`] : []), `ticket:${p.number}`];
    return [{ rooms, event: event.name, data: { ticketId: p.ticketId, number: p.number, from: p.from, to: p.to }, staffOnly: true }];
  });

  realtime.project('ticket.time_logged', (event) => {
    const p = event.payload as EventPayload<'ticket.time_logged'>;
    return [{ rooms: [`ticket:${p.number}`], event: event.name, data: { ticketId: p.ticketId, number: p.number, totalMinutes: p.totalMinutes }, staffOnly: true }];
  });
}
