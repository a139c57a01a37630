import type { Kysely } from 'kysely';
import type { AnyDb } from '../../platform/db/database.js';

interface ImportTables {
  ticket_imports: { external_id: string; ticket_id: string; imported_at: string };
}
const q = (db: AnyDb) => db as Kysely<ImportTables>;

/** The tickets earlier imports made from these external ids (external id -> ticket id). */
export async function findImportedTicketIds(db: AnyDb, externalIds: string[]): Promise<Map<string, string>> {
  if (externalIds.length === 0) return new Map();
  const rows = await q(db).selectFrom('ticket_imports').select(['external_id', 'ticket_id']).where('external_id', 'in', externalIds).execute();
  return new Map(rows.map((r) => [r.external_id, r.ticket_id]));
}

/**
 * Records the ticket made from an external id. False when another import took the id first (it
 * committed after this one looked): the caller gives up rather than keep a second copy.
 */
export async function recordImportedTicket(db: AnyDb, row: { externalId: string; ticketId: string; at: string }): Promise<boolean> {
  const res = await q(db)
    .insertInto('ticket_imports')
    .values({ external_id: row.externalId, ticket_id: row.ticketId, imported_at: row.at })
    .onConflict((oc) => oc.column('external_id').doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}
