import type { EventPayload } from '../../../contracts/events.js';
import type { EventDispatcher } from '../../platform/events/dispatcher.js';
import { indexSearchDoc } from '../../platform/search/search.repository.js';
import { systemActor } from '../../platform/context.js';
import { getContactsByIds } from '../contacts/index.js';
import { ticketHeadsByRequester } from './tickets.repository.js';
import { ticketSearchText } from './tickets.service.js';

/** The tickets module's reactions to events of lower modules. */
export function registerTicketSubscribers(events: EventDispatcher): void {
  // A renamed contact or a new email address must find their tickets in search.
  events.subscribe('contact.updated', async (event, db) => {
    const { contactId, changes } = event.payload as EventPayload<'contact.updated'>;
    if (!changes.some((c) => c === 'name' || c === 'emails' || c === 'phones')) return;
    const ctx = { actor: systemActor('search'), requestId: event.id, now: new Date(event.createdAt), db, events };
    const [contact] = await getContactsByIds(ctx, [contactId]);
    if (!contact) return;
    const text = [contact.name, ...contact.emails, ...contact.phones].join(' ');
    for (const t of await ticketHeadsByRequester(db, contactId)) await indexSearchDoc(db, `t:${t.id}`, t.id, ticketSearchText(t, text));
  });
}
