import type { EventPayload } from '../../../contracts/events.js';
import { systemActor } from '../../platform/context.js';
import { toIso } from '../../platform/db/rows.js';
import type { Realtime } from '../../platform/realtime/realtime.js';
import { requireTicketById, ticketListRooms } from '../tickets/index.js';
import { findMessagesByIds } from './messages.repository.js';

/**
 * The messages module's part of realtime: a new message is pushed to everyone watching the
 * ticket (a note to staff only, never to a customer's socket), and a reply or customer message
 * refreshes the lists that show the ticket (its updated time and counts changed).
 */
export function registerMessageRealtime(realtime: Realtime): void {
  realtime.project('message.created', async (event, db) => {
    const p = event.payload as EventPayload<'message.created'>;
    const [m] = await findMessagesByIds(db, [p.messageId]);
    const data = { ticketId: p.ticketId, number: p.number, messageId: p.messageId, kind: p.kind, authorUserId: m?.authorUserId ?? null, createdAt: m?.createdAt ?? toIso(event.createdAt) };
    const pushes = [{ rooms: [`ticket:${p.number}`], event: event.name, data, staffOnly: p.kind === 'note' }];
    if (p.kind === 'note') return pushes;
    const ctx = { actor: systemActor('realtime'), requestId: event.id, now: new Date(), db, events: { kick: () => undefined } };
    const ticket = await requireTicketById(ctx, p.ticketId).catch(() => undefined);
    if (ticket) pushes.push({ rooms: ticketListRooms(ticket), event: event.name, data, staffOnly: true });
    return pushes;
  });
}
