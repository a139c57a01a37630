import type { EventPayload } from '../../../contracts/events.js';
import { toIso } from '../../platform/db/rows.js';
import type { Realtime } from '../../platform/realtime/realtime.js';
import { ticketListRooms, ticketsOfEvents } from '../tickets/index.js';
import { findMessagesByIds } from './messages.repository.js';

/**
 * The messages module's part of realtime: a new message is pushed to everyone watching the
 * ticket (a note to staff only, never to a customer's socket), and a reply or customer message
 * refreshes the lists that show the ticket (its updated time and counts changed).
 */
export function registerMessageRealtime(realtime: Realtime): void {
  realtime.projectRun('message.created', async (events, db) => {
    const payloads = events.map((e) => e.payload as EventPayload<'message.created'>);
    const messages = new Map((await findMessagesByIds(db, payloads.map((p) => p.messageId))).map((m) => [m.id, m]));
    const listed = events.filter((_e, i) => payloads[i]!.kind !== 'note');
    const tickets = listed.length ? await ticketsOfEvents(listed, db) : new Map();
    return events.map((event, i) => {
      const p = payloads[i]!;
      const m = messages.get(p.messageId);
      const data = { ticketId: p.ticketId, number: p.number, messageId: p.messageId, kind: p.kind, authorUserId: m?.authorUserId ?? null, createdAt: m?.createdAt ?? toIso(event.createdAt) };
      const pushes = [{ rooms: [`ticket:${p.number}`], event: event.name, data, staffOnly: p.kind === 'note' }];
      const ticket = p.kind === 'note' ? undefined : tickets.get(p.ticketId);
      if (ticket) pushes.push({ rooms: ticketListRooms(ticket), event: event.name, data, staffOnly: true });
      return pushes;
    });
  });
}
