import type { Kysely } from 'kysely';
import type { AnyDb } from '../../platform/db/database.js';
import { jsonParam, toIso, toJson } from '../../platform/db/rows.js';
import { insertRows } from '../../platform/db/prepared.js';

interface MessageTables {
  messages: {
    id: string;
    ticket_id: string;
    kind: string;
    author_type: string;
    author_user_id: string | null;
    author_contact_id: string | null;
    body_html: string;
    body_text: string;
    mentions: unknown;
    original_ticket_id: string | null;
    created_at: string;
  };
  attachments: {
    id: string;
    message_id: string | null;
    uploader_user_id: string | null;
    filename: string;
    content_type: string;
    size: number;
    sha256: string;
    created_at: string;
  };
}
const q = (db: AnyDb) => db as Kysely<MessageTables>;

export type MessageKind = 'customer' | 'reply' | 'note';

export interface Message {
  id: string;
  ticketId: string;
  kind: MessageKind;
  authorType: 'user' | 'contact' | 'system';
  authorUserId: string | null;
  authorContactId: string | null;
  bodyHtml: string;
  bodyText: string;
  mentions: string[];
  originalTicketId: string | null;
  createdAt: string;
}

export interface Attachment {
  id: string;
  messageId: string | null;
  uploaderUserId: string | null;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  createdAt: string;
}

const toMessage = (r: MessageTables['messages']): Message => ({
  id: r.id,
  ticketId: r.ticket_id,
  kind: r.kind as MessageKind,
  authorType: r.author_type as Message['authorType'],
  authorUserId: r.author_user_id,
  authorContactId: r.author_contact_id,
  bodyHtml: r.body_html,
  bodyText: r.body_text,
  mentions: toJson<string[]>(r.mentions, []),
  originalTicketId: r.original_ticket_id,
  createdAt: toIso(r.created_at),
});

const toAttachment = (r: MessageTables['attachments']): Attachment => ({
  id: r.id,
  messageId: r.message_id,
  uploaderUserId: r.uploader_user_id,
  filename: r.filename,
  contentType: r.content_type,
  size: Number(r.size),
  sha256: r.sha256,
  createdAt: toIso(r.created_at),
});

export async function insertMessages(db: AnyDb, messages: readonly Message[]): Promise<void> {
  await insertRows(
    q(db),
    'messages',
    messages.map((m) => ({
      id: m.id,
      ticket_id: m.ticketId,
      kind: m.kind,
      author_type: m.authorType,
      author_user_id: m.authorUserId,
      author_contact_id: m.authorContactId,
      body_html: m.bodyHtml,
      body_text: m.bodyText,
      mentions: jsonParam(m.mentions),
      original_ticket_id: m.originalTicketId,
      created_at: m.createdAt,
    })),
  );
}

export async function listMessagesOf(db: AnyDb, ticketId: string, opts: { includeNotes: boolean }): Promise<Message[]> {
  let sel = q(db).selectFrom('messages').selectAll().where('ticket_id', '=', ticketId);
  if (!opts.includeNotes) sel = sel.where('kind', '!=', 'note');
  return (await sel.orderBy('created_at').orderBy('id').execute()).map(toMessage);
}

/** One page of the conversation in order, after `after` (keyset on created_at, id). */
export async function listMessagesPageOf(db: AnyDb, ticketId: string, opts: { includeNotes: boolean; after?: { at: string; id: string } | undefined; limit: number }): Promise<Message[]> {
  let sel = q(db).selectFrom('messages').selectAll().where('ticket_id', '=', ticketId);
  if (!opts.includeNotes) sel = sel.where('kind', '!=', 'note');
  const a = opts.after;
  if (a) sel = sel.where((eb) => eb.or([eb('created_at', '>', a.at), eb.and([eb('created_at', '=', a.at), eb('id', '>', a.id)])]));
  return (await sel.orderBy('created_at').orderBy('id').limit(opts.limit).execute()).map(toMessage);
}

export async function findMessagesByIds(db: AnyDb, ids: readonly string[]): Promise<Message[]> {
  if (ids.length === 0) return [];
  return (await q(db).selectFrom('messages').selectAll().where('id', 'in', [...new Set(ids)]).execute()).map(toMessage);
}

/** Moves messages to another ticket, remembering where each came from (merge, split). */
export async function moveMessages(db: AnyDb, ids: readonly string[], fromTicketId: string, toTicketId: string): Promise<void> {
  if (ids.length === 0) return;
  await q(db).updateTable('messages').set({ original_ticket_id: fromTicketId }).where('id', 'in', [...ids]).where('original_ticket_id', 'is', null).execute();
  await q(db).updateTable('messages').set({ ticket_id: toTicketId }).where('id', 'in', [...ids]).execute();
}

/** What a ticket's messages say about it; a ticket without messages has none of them. */
export interface ConversationFacts {
  messageCount: number;
  lastMessageAt: string | null;
  /** The earliest agent reply written since the ticket was created. */
  firstResponseAt: string | null;
}

/**
 * The facts of each ticket from the messages it holds now (after a merge or split moved some).
 * A reply older than the ticket itself (moved in from an older ticket, or out of the original
 * into a split) answered something else first, and would make a negative response time.
 */
export async function conversationFactsOf(db: AnyDb, tickets: readonly { id: string; createdAt: string }[]): Promise<Map<string, ConversationFacts>> {
  const out = new Map<string, ConversationFacts>(tickets.map((t) => [t.id, { messageCount: 0, lastMessageAt: null, firstResponseAt: null }]));
  if (tickets.length === 0) return out;
  const [totals, firsts] = await Promise.all([
    q(db)
      .selectFrom('messages')
      .select((eb) => ['ticket_id', eb.fn.countAll<number | string>().as('n'), eb.fn.max('created_at').as('last_at')])
      .where('ticket_id', 'in', [...out.keys()])
      .groupBy('ticket_id')
      .execute(),
    q(db)
      .selectFrom('messages')
      .select((eb) => ['ticket_id', eb.fn.min('created_at').as('first_at')])
      .where('kind', '=', 'reply')
      .where((eb) => eb.or(tickets.map((t) => eb.and([eb('ticket_id', '=', t.id), eb('created_at', '>=', t.createdAt)]))))
      .groupBy('ticket_id')
      .execute(),
  ]);
  for (const r of totals) out.set(r.ticket_id, { ...out.get(r.ticket_id)!, messageCount: Number(r.n), lastMessageAt: r.last_at === null ? null : toIso(r.last_at) });
  for (const r of firsts) out.set(r.ticket_id, { ...out.get(r.ticket_id)!, firstResponseAt: r.first_at === null ? null : toIso(r.first_at) });
  return out;
}

export async function messageIdsOf(db: AnyDb, ticketId: string): Promise<string[]> {
  return (await q(db).selectFrom('messages').select('id').where('ticket_id', '=', ticketId).execute()).map((r) => r.id);
}

/** The tickets whose messages were merged into this one (their messages still name them). */
export async function mergedInTicketIds(db: AnyDb, ticketId: string): Promise<string[]> {
  const rows = await q(db).selectFrom('messages').select('original_ticket_id').distinct().where('ticket_id', '=', ticketId).where('original_ticket_id', 'is not', null).execute();
  return rows.flatMap((r) => (r.original_ticket_id && r.original_ticket_id !== ticketId ? [r.original_ticket_id] : []));
}

export async function deleteMessagesOf(db: AnyDb, ticketId: string): Promise<string[]> {
  const ids = await messageIdsOf(db, ticketId);
  if (ids.length) {
    await q(db).deleteFrom('attachments').where('message_id', 'in', ids).execute();
    await q(db).deleteFrom('messages').where('ticket_id', '=', ticketId).execute();
  }
  return ids;
}

// Attachments

export async function insertAttachment(db: AnyDb, a: Attachment): Promise<void> {
  await q(db)
    .insertInto('attachments')
    .values({ id: a.id, message_id: a.messageId, uploader_user_id: a.uploaderUserId, filename: a.filename, content_type: a.contentType, size: a.size, sha256: a.sha256, created_at: a.createdAt })
    .execute();
}

export async function findAttachmentsByIds(db: AnyDb, ids: readonly string[]): Promise<Attachment[]> {
  if (ids.length === 0) return [];
  return (await q(db).selectFrom('attachments').selectAll().where('id', 'in', [...new Set(ids)]).execute()).map(toAttachment);
}

/**
 * Gives unclaimed uploads to a message; answers how many it took. Only uploads still without a
 * message are taken: on PostgreSQL two messages can both have read an upload as free, and the
 * later of the two updates, once the first commits, finds it claimed and takes nothing.
 */
export async function attachToMessage(db: AnyDb, ids: readonly string[], messageId: string): Promise<number> {
  if (ids.length === 0) return 0;
  const res = await q(db).updateTable('attachments').set({ message_id: messageId }).where('id', 'in', [...ids]).where('message_id', 'is', null).executeTakeFirst();
  return Number(res.numUpdatedRows);
}

export async function attachmentsOfMessages(db: AnyDb, messageIds: readonly string[]): Promise<Map<string, Attachment[]>> {
  const out = new Map<string, Attachment[]>();
  if (messageIds.length === 0) return out;
  const rows = await q(db).selectFrom('attachments').selectAll().where('message_id', 'in', [...messageIds]).orderBy('created_at').execute();
  for (const r of rows) out.set(r.message_id!, [...(out.get(r.message_id!) ?? []), toAttachment(r)]);
  return out;
}

/** Message texts in id order after `afterId` (the search index upgrade walks them). */
export async function messageTextsAfter(db: AnyDb, afterId: string | null, limit: number): Promise<{ id: string; text: string }[]> {
  let sel = q(db).selectFrom('messages').select(['id', 'body_text']);
  if (afterId !== null) sel = sel.where('id', '>', afterId);
  return (await sel.orderBy('id').limit(limit).execute()).map((r) => ({ id: r.id, text: r.body_text }));
}
