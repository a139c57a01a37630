import type { Kysely } from 'kysely';
import type { AnyDb } from '../../platform/db/database.js';
import { toIso } from '../../platform/db/rows.js';

interface MessageHeads {
  messages: { id: string; ticket_id: string; kind: string; author_type: string; author_user_id: string | null; author_contact_id: string | null; created_at: string };
}
const q = (db: AnyDb) => db as Kysely<MessageHeads>;

export interface MessageHead {
  id: string;
  kind: 'customer' | 'reply' | 'note';
  authorType: 'user' | 'contact' | 'system';
  authorUserId: string | null;
  authorContactId: string | null;
  createdAt: string;
}

/** Messages of a ticket newer than `since`, without bodies (index messages_ticket). */
export async function messageHeadsSince(db: AnyDb, ticketId: string, since: string, opts: { includeNotes: boolean; limit: number }): Promise<MessageHead[]> {
  let sel = q(db)
    .selectFrom('messages')
    .select(['id', 'kind', 'author_type', 'author_user_id', 'author_contact_id', 'created_at'])
    .where('ticket_id', '=', ticketId)
    .where('created_at', '>', since);
  if (!opts.includeNotes) sel = sel.where('kind', '!=', 'note');
  const rows = await sel.orderBy('created_at').orderBy('id').limit(opts.limit).execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind as MessageHead['kind'],
    authorType: r.author_type as MessageHead['authorType'],
    authorUserId: r.author_user_id,
    authorContactId: r.author_contact_id,
    createdAt: toIso(r.created_at),
  }));
}
