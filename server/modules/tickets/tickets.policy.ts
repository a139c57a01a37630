import type { Actor } from '../../platform/context.js';
import { forbidden, notFound } from '../../platform/errors.js';
import type { Ticket, TicketPredicate } from './tickets.repository.js';

/**
 * Who sees which ticket. Restricted agents see their groups' tickets (and tickets assigned to
 * them); customers see the tickets they requested. Anything else is "not found", never
 * "forbidden", so ids of foreign tickets leak nothing.
 */
export function visibilityScope(actor: Actor): TicketPredicate | null {
  if (actor.type === 'system') return null;
  if (actor.type === 'customer') {
    const contactId = actor.contactId ?? '__none__';
    const org = actor.seeOrganization ? actor.organizationId : null;
    return (eb) => (org ? eb.or([eb('requester_id', '=', contactId), eb('organization_id', '=', org)]) : eb('requester_id', '=', contactId));
  }
  if (!actor.restricted || actor.role === 'admin') return null;
  const groups = actor.groupIds.length ? actor.groupIds : ['__none__'];
  return (eb) => eb.or([eb('group_id', 'in', groups), eb('assignee_id', '=', actor.id)]);
}

export function canSeeTicket(actor: Actor, t: Ticket): boolean {
  if (actor.type === 'system') return true;
  if (actor.type === 'customer') {
    return (actor.contactId !== null && t.requesterId === actor.contactId) || (actor.seeOrganization && actor.organizationId !== null && t.organizationId === actor.organizationId);
  }
  if (!actor.restricted || actor.role === 'admin') return true;
  return (t.groupId !== null && actor.groupIds.includes(t.groupId)) || t.assigneeId === actor.id;
}

export function assertVisible(actor: Actor, t: Ticket | undefined, label = 'Ticket'): Ticket {
  if (!t || !canSeeTicket(actor, t)) throw notFound(label);
  return t;
}

/** Staff edit tickets; customers only close their own or reply (messages module). */
export function assertCanEdit(actor: Actor): void {
  if (actor.type === 'customer') throw forbidden('Customers cannot change ticket properties');
}

export function assertCanManageSpam(actor: Actor, deleting: boolean): void {
  if (actor.type === 'customer') throw forbidden('Customers cannot do this');
  if (deleting && !(actor.type === 'system' || actor.role === 'admin')) throw forbidden('Only administrators may delete spam');
}
