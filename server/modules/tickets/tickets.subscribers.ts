import type { EventPayload } from '../../../contracts/events.js';
import type { EventDispatcher } from '../../platform/events/dispatcher.js';
import { indexSearchDoc } from '../../platform/search/search.repository.js';
import { systemActor, type Ctx } from '../../platform/context.js';
import { contactSearchText, getContactsByIds } from '../contacts/index.js';
import { clearTicketGroup, clearTicketOrganization, lockTicketsInNumberOrder, ticketHeadsByRequester } from './tickets.repository.js';
import { eventsFrom, ticketSearchText } from './tickets.service.js';
import { appendTicketEvents } from './ticket-events.repository.js';
import { emit } from '../../platform/events/emit.js';

/** The tickets module's reactions to events of lower modules. */
export function registerTicketSubscribers(events: EventDispatcher): void {
  // Subscribers change tickets in the order of their events (SLA state, rules), while bulk
  // changes and merges lock tickets in number order: taking the batch's tickets in number order
  // first keeps the two from deadlocking (PostgreSQL broke such a cycle after a second, failing
  // one side; when that was the dispatcher, its retry could lose again and leave a clock stale).
  events.beforeDelivery(async (batch, db) => {
    const ids = new Set<string>();
    for (const e of batch) {
      const p = e.payload as { ticketId?: unknown; intoTicketId?: unknown; fromTicketId?: unknown };
      for (const id of [p.ticketId, p.intoTicketId, p.fromTicketId]) if (typeof id === 'string') ids.add(id);
    }
    await lockTicketsInNumberOrder(db, [...ids]);
  });
  // A renamed contact or a new email address must find their tickets in search.
  events.subscribe('contact.updated', async (event, db) => {
    const { contactId, changes } = event.payload as EventPayload<'contact.updated'>;
    if (!changes.some((c) => c === 'name' || c === 'emails' || c === 'phones')) return;
    const ctx = { actor: systemActor('search'), requestId: event.id, now: new Date(event.createdAt), db, events };
    const [contact] = await getContactsByIds(ctx, [contactId]);
    if (!contact) return;
    const text = contactSearchText(contact);
    for (const t of await ticketHeadsByRequester(db, contactId)) await indexSearchDoc(db, `t:${t.id}`, t.id, ticketSearchText(t, text));
  });
  // A deleted group's tickets would point at nothing: neither `group:none` nor any group would
  // find them, and agents restricted to groups would lose them. They leave the group, each with
  // an event in its history (closed ones too: this is a reference, not the conversation).
  events.subscribe('group.deleted', async (event, db) => {
    const { groupId, name } = event.payload as EventPayload<'group.deleted'>;
    const ctx = { actor: systemActor('groups'), requestId: event.id, now: new Date(event.createdAt), db, events };
    await recordDetached(ctx, await clearTicketGroup(db, groupId, ctx.now.toISOString()), 'group_changed', groupId, { groupDeleted: name });
  });
  // The same for a deleted organization: `org:none` finds its tickets, reports count them as without one.
  events.subscribe('organization.deleted', async (event, db) => {
    const { organizationId, name } = event.payload as EventPayload<'organization.deleted'>;
    const ctx = { actor: systemActor('organizations'), requestId: event.id, now: new Date(event.createdAt), db, events };
    await recordDetached(ctx, await clearTicketOrganization(db, organizationId, ctx.now.toISOString()), 'organization_changed', organizationId, { organizationDeleted: name });
  });
}

/** Tickets taken out of a deleted group or organization: each records the change and announces it. */
async function recordDetached(ctx: Ctx, tickets: { id: string; number: number }[], action: 'group_changed' | 'organization_changed', from: string, data: Record<string, unknown>): Promise<void> {
  await appendTicketEvents(ctx.db, tickets.flatMap((t) => eventsFrom(ctx, t.id, [{ action, from, to: null }], data)));
  for (const t of tickets) await emit(ctx, 'ticket.updated', { ticketId: t.id, number: t.number, changes: [action] });
}
