import type { Kysely } from 'kysely';
import type { AnyDb } from '../../platform/db/database.js';
import { toIso, toIsoOrNull } from '../../platform/db/rows.js';
import { prepared } from '../../platform/db/prepared.js';

interface ThreadTables {
  mail_message_ids: { header_id: string; ticket_id: string; message_id: string | null; direction: string; created_at: string };
  mail_participants: { ticket_id: string; email: string; name: string; role: string; contact_id: string | null; first_seen_at: string; last_seen_at: string };
  mail_threads: { ticket_id: string; mailbox_id: string | null; last_inbound_header_id: string | null; created_at: string; updated_at: string };
  mail_delivery_reports: {
    id: string;
    inbound_id: string;
    original_header_id: string | null;
    ticket_id: string | null;
    recipient: string | null;
    action: string;
    status: string | null;
    diagnostic: string | null;
    handled_at: string | null;
    created_at: string;
  };
  settings: { key: string; value: unknown; updated_at: string };
  mail_outbound: { ticket_id: string; header_id: string; kind: string };
}
const q = (db: AnyDb) => db as Kysely<ThreadTables>;

// Message-ID map: every header id we know -> ticket (and message).

export interface KnownMessageId {
  headerId: string;
  ticketId: string;
  messageId: string | null;
  direction: 'inbound' | 'outbound';
  createdAt: string;
}

const recordMessageId = prepared<KnownMessageId>('mail_message_ids.insert', (db, v) =>
  q(db)
    .insertInto('mail_message_ids')
    .values({ header_id: v.headerId, ticket_id: v.ticketId, message_id: v.messageId, direction: v.direction, created_at: v.createdAt })
    .onConflict((oc) => oc.column('header_id').doNothing()),
);

export async function recordMessageIds(db: AnyDb, rows: KnownMessageId[]): Promise<void> {
  if (rows.length === 0) return;
  if (rows.length === 1) {
    await recordMessageId(db, rows[0]!);
    return;
  }
  await q(db)
    .insertInto('mail_message_ids')
    .values(rows.map((r) => ({ header_id: r.headerId, ticket_id: r.ticketId, message_id: r.messageId, direction: r.direction, created_at: r.createdAt })))
    .onConflict((oc) => oc.column('header_id').doNothing())
    .execute();
}

const messageIdByHeader = prepared<{ id: string }, ThreadTables['mail_message_ids']>('mail_message_ids.by-header', (db, v) => q(db).selectFrom('mail_message_ids').selectAll().where('header_id', '=', v.id));

export async function findMessageIds(db: AnyDb, headerIds: readonly string[]): Promise<KnownMessageId[]> {
  if (headerIds.length === 0) return [];
  // A new mail's own Message-ID is looked up alone, before its ticket is known: compiled once.
  const rows = headerIds.length === 1 ? await messageIdByHeader(db, { id: headerIds[0]! }) : await q(db).selectFrom('mail_message_ids').selectAll().where('header_id', 'in', [...new Set(headerIds)]).execute();
  return rows.map((r) => ({ headerId: r.header_id, ticketId: r.ticket_id, messageId: r.message_id, direction: r.direction as KnownMessageId['direction'], createdAt: toIso(r.created_at) }));
}

/**
 * A ticket's Message-IDs oldest first: the References chain of an outbound reply. Agent
 * notifications are left out: they went to an agent, not into the customer's conversation, and
 * their ids must stay the agent's alone (a reply naming one is taken as that agent's note).
 */
export async function messageIdsOfTicket(db: AnyDb, ticketId: string, limit = 50): Promise<KnownMessageId[]> {
  const rows = await q(db)
    .selectFrom('mail_message_ids')
    .selectAll()
    .where('ticket_id', '=', ticketId)
    // By header id (unique), not ticket: a merge moves the ids to the ticket merged into.
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('mail_outbound').select('mail_outbound.header_id').whereRef('mail_outbound.header_id', '=', 'mail_message_ids.header_id').where('mail_outbound.kind', '=', 'agent_notification'))),
    )
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.reverse().map((r) => ({ headerId: r.header_id, ticketId: r.ticket_id, messageId: r.message_id, direction: r.direction as KnownMessageId['direction'], createdAt: toIso(r.created_at) }));
}

// Participants: who is in a ticket's mail conversation (requester, people in To/Cc).

export type ParticipantRole = 'requester' | 'sender' | 'cc';

export interface Participant {
  ticketId: string;
  email: string;
  name: string;
  role: ParticipantRole;
  contactId: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
}

const upsertParticipant = prepared<{ ticketId: string; email: string; name: string; role: string; contactId: string | null; at: string }>('mail_participants.upsert', (db, v) =>
  q(db)
    .insertInto('mail_participants')
    .values({ ticket_id: v.ticketId, email: v.email, name: v.name, role: v.role as ParticipantRole, contact_id: v.contactId, first_seen_at: v.at, last_seen_at: v.at })
    .onConflict((oc) =>
      oc.columns(['ticket_id', 'email']).doUpdateSet((eb) => ({
        last_seen_at: v.at,
        // A participant known by contact keeps it when a later message names none.
        contact_id: eb.fn.coalesce(eb.val(v.contactId), eb.ref('mail_participants.contact_id')),
      })),
    ),
);

/** Adds people to a ticket's conversation; known ones keep their role and get a fresh last-seen. */
export async function upsertParticipants(db: AnyDb, rows: Omit<Participant, 'firstSeenAt' | 'lastSeenAt'>[], at: string): Promise<void> {
  const unique = [...new Map(rows.map((r) => [`${r.ticketId}\n${r.email}`, r])).values()];
  for (const r of unique) await upsertParticipant(db, { ticketId: r.ticketId, email: r.email, name: r.name, role: r.role, contactId: r.contactId, at });
}

export async function participantsOf(db: AnyDb, ticketIds: readonly string[]): Promise<Participant[]> {
  if (ticketIds.length === 0) return [];
  const rows = await q(db).selectFrom('mail_participants').selectAll().where('ticket_id', 'in', [...new Set(ticketIds)]).orderBy('first_seen_at').orderBy('email').execute();
  return rows.map((r) => ({
    ticketId: r.ticket_id,
    email: r.email,
    name: r.name,
    role: r.role as ParticipantRole,
    contactId: r.contact_id,
    firstSeenAt: toIso(r.first_seen_at),
    lastSeenAt: toIso(r.last_seen_at),
  }));
}

// Thread state per ticket.

export interface MailThread {
  ticketId: string;
  mailboxId: string | null;
  lastInboundHeaderId: string | null;
  createdAt: string;
  updatedAt: string;
}

const upsertThread = prepared<{ ticketId: string; mailboxId: string | null; lastInboundHeaderId: string | null; at: string }>('mail_threads.upsert', (db, v) =>
  q(db)
    .insertInto('mail_threads')
    .values({ ticket_id: v.ticketId, mailbox_id: v.mailboxId, last_inbound_header_id: v.lastInboundHeaderId, created_at: v.at, updated_at: v.at })
    .onConflict((oc) =>
      oc.column('ticket_id').doUpdateSet((eb) => ({
        last_inbound_header_id: eb.fn.coalesce(eb.val(v.lastInboundHeaderId), eb.ref('mail_threads.last_inbound_header_id')),
        mailbox_id: eb.fn.coalesce('mail_threads.mailbox_id', eb.val(v.mailboxId)),
        updated_at: v.at,
      })),
    ),
);

export async function upsertMailThread(db: AnyDb, t: { ticketId: string; mailboxId: string | null; lastInboundHeaderId: string | null }, at: string): Promise<void> {
  await upsertThread(db, { ...t, at });
}

const threadOf = prepared<{ id: string }, ThreadTables['mail_threads']>('mail_threads.of-ticket', (db, v) => q(db).selectFrom('mail_threads').selectAll().where('ticket_id', '=', v.id));

const toThread = (r: ThreadTables['mail_threads']): MailThread => ({ ticketId: r.ticket_id, mailboxId: r.mailbox_id, lastInboundHeaderId: r.last_inbound_header_id, createdAt: toIso(r.created_at), updatedAt: toIso(r.updated_at) });

export async function findMailThread(db: AnyDb, ticketId: string): Promise<MailThread | undefined> {
  const [r] = await threadOf(db, { id: ticketId });
  return r ? toThread(r) : undefined;
}

/** The threads of many tickets, by ticket (a ticket without one is absent). */
export async function findMailThreads(db: AnyDb, ticketIds: readonly string[]): Promise<Map<string, MailThread>> {
  if (ticketIds.length === 0) return new Map();
  // Most callers ask for one ticket's thread: the compiled statement.
  const rows = ticketIds.length === 1 ? await threadOf(db, { id: ticketIds[0]! }) : await q(db).selectFrom('mail_threads').selectAll().where('ticket_id', 'in', [...new Set(ticketIds)]).execute();
  return new Map(rows.map((r) => [r.ticket_id, toThread(r)]));
}

// Delivery reports (bounces): kept until the outbound side marks its message failed.

export interface DeliveryReportRow {
  id: string;
  inboundId: string;
  originalHeaderId: string | null;
  ticketId: string | null;
  recipient: string | null;
  action: string;
  status: string | null;
  diagnostic: string | null;
  handledAt: string | null;
  createdAt: string;
}

export async function insertDeliveryReports(db: AnyDb, rows: DeliveryReportRow[]): Promise<void> {
  if (rows.length === 0) return;
  await q(db)
    .insertInto('mail_delivery_reports')
    .values(
      rows.map((r) => ({
        id: r.id,
        inbound_id: r.inboundId,
        original_header_id: r.originalHeaderId,
        ticket_id: r.ticketId,
        recipient: r.recipient,
        action: r.action,
        status: r.status,
        diagnostic: r.diagnostic,
        handled_at: r.handledAt,
        created_at: r.createdAt,
      })),
    )
    .execute();
}

export async function findDeliveryReports(db: AnyDb, filter: { originalHeaderId?: string; inboundId?: string; unhandledOnly?: boolean }): Promise<DeliveryReportRow[]> {
  let sel = q(db).selectFrom('mail_delivery_reports').selectAll();
  if (filter.originalHeaderId) sel = sel.where('original_header_id', '=', filter.originalHeaderId);
  if (filter.inboundId) sel = sel.where('inbound_id', '=', filter.inboundId);
  if (filter.unhandledOnly) sel = sel.where('handled_at', 'is', null);
  const rows = await sel.orderBy('created_at').limit(1000).execute();
  return rows.map((r) => ({
    id: r.id,
    inboundId: r.inbound_id,
    originalHeaderId: r.original_header_id,
    ticketId: r.ticket_id,
    recipient: r.recipient,
    action: r.action,
    status: r.status,
    diagnostic: r.diagnostic,
    handledAt: toIsoOrNull(r.handled_at),
    createdAt: toIso(r.created_at),
  }));
}

export async function markDeliveryReportHandled(db: AnyDb, id: string, at: string): Promise<void> {
  await q(db).updateTable('mail_delivery_reports').set({ handled_at: at }).where('id', '=', id).execute();
}

// The installation's reply-address signing secret, in the platform settings table under its own key.

const SECRET_KEY = 'mail.reply_secret';

export async function readOrCreateSecret(db: AnyDb, generate: () => string, at: string): Promise<string> {
  const read = async () => (await q(db).selectFrom('settings').select('value').where('key', '=', SECRET_KEY).executeTakeFirst())?.value;
  let value = await read();
  if (value === undefined) {
    // Two processes may start at once: the first insert wins and both read it back.
    await q(db)
      .insertInto('settings')
      .values({ key: SECRET_KEY, value: JSON.stringify(generate()), updated_at: at })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    value = await read();
  }
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (typeof parsed !== 'string' || parsed.length < 32) throw new Error('reply-address secret is missing or malformed');
  return parsed;
}
