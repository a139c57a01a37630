import type { Kysely } from 'kysely';
import type { AnyDb } from '../../platform/db/database.js';
import type { TicketTables } from './tickets.tables.js';

/** Who made the latest change of this kind to a ticket, if any. */
export async function findLastChangeActor(db: AnyDb, ticketId: string, action: string): Promise<{ actorType: string; actorId: string | null } | null> {
  const row = await (db as Kysely<TicketTables>)
    .selectFrom('ticket_events')
    .select(['actor_type', 'actor_id'])
    .where('ticket_id', '=', ticketId)
    .where('action', '=', action)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return row ? { actorType: row.actor_type, actorId: row.actor_id } : null;
}

/**
 * Who made a change: the actor of the ticket event with this action at this instant (the
 * outbox event of a change carries the same time). Lets higher modules tell an agent who
 * assigned a ticket to themselves from one who was assigned by someone else.
 */
export async function findChangeActor(db: AnyDb, ticketId: string, action: string, at: string): Promise<{ actorType: string; actorId: string | null } | null> {
  const row = await (db as Kysely<TicketTables>)
    .selectFrom('ticket_events')
    .select(['actor_type', 'actor_id'])
    .where('ticket_id', '=', ticketId)
    .where('at', '=', new Date(at).toISOString())
    .where('action', '=', action)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return row ? { actorType: row.actor_type, actorId: row.actor_id } : null;
}
