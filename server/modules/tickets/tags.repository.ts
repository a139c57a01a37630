import { sql, type Kysely } from 'kysely';
import type { AnyDb } from '../../platform/db/database.js';
import type { TicketPredicate } from './tickets.repository.js';
import type { TicketTables } from './tickets.tables.js';

const q = (db: AnyDb) => db as Kysely<TicketTables>;

export interface TagCount {
  name: string;
  ticketCount: number;
}

/**
 * Every tag in use with its ticket count, over the tickets `scope` lets through. Without a scope
 * the (tag, ticket_id) index answers it without the tickets table; with one, a tag appears only
 * when a ticket the caller may open carries it, so a tag name leaks nothing either.
 */
export async function listTagCounts(db: AnyDb, scope: TicketPredicate | null): Promise<TagCount[]> {
  let query = q(db).selectFrom('ticket_tags').select(['tag', sql<number>`count(*)`.as('n')]);
  if (scope) query = query.where('ticket_id', 'in', (eb) => eb.selectFrom('tickets').select('id').where(scope));
  const rows = await query.groupBy('tag').orderBy('tag').execute();
  return rows.map((r) => ({ name: r.tag, ticketCount: Number(r.n) }));
}

export async function countTicketsWithTag(db: AnyDb, tag: string): Promise<number> {
  const row = await q(db).selectFrom('ticket_tags').select(sql<number>`count(*)`.as('n')).where('tag', '=', tag).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** One keyset page of the ids of tickets carrying the tag, in id order (the lock order of bulk changes). */
export async function ticketIdsWithTag(db: AnyDb, tag: string, afterId: string | null, limit: number): Promise<string[]> {
  let query = q(db).selectFrom('ticket_tags').select('ticket_id').where('tag', '=', tag);
  if (afterId) query = query.where('ticket_id', '>', afterId);
  return (await query.orderBy('ticket_id').limit(limit).execute()).map((r) => r.ticket_id);
}

/** Whether the tags together are on at most `limit` tickets; reads at most limit + 1 index entries. */
export async function tagsOnAtMost(db: AnyDb, tags: string[], limit: number): Promise<boolean> {
  if (tags.length === 0) return true;
  const beyond = await q(db).selectFrom('ticket_tags').select('ticket_id').where('tag', 'in', tags).limit(1).offset(limit).executeTakeFirst();
  return beyond === undefined;
}
