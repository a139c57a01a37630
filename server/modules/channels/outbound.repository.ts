import { sql, type Kysely } from 'kysely';
import type { AnyDb } from '../../platform/db/database.js';
import { boolValue } from '../../platform/db/dialect/sql.js';
import { jsonParam, toBool, toIso, toIsoOrNull, toJson } from '../../platform/db/rows.js';
import type { MailAddress } from '../../platform/mail/mail-composer.js';

interface OutboundTables {
  mail_outbound: {
    id: string;
    ticket_id: string;
    ticket_message_id: string | null;
    kind: string;
    dedupe_key: string;
    mailbox_id: string | null;
    header_id: string;
    from_address: string;
    to_addresses: unknown;
    cc_addresses: unknown;
    subject: string;
    automatic: number;
    raw: Uint8Array;
    status: string;
    transport: string | null;
    attempts: number;
    last_error: string | null;
    last_error_at: string | null;
    smtp_response: string | null;
    queued_at: string;
    sent_at: string | null;
    failed_at: string | null;
    updated_at: string;
  };
  mail_outbound_recipients: { outbound_id: string; ticket_id: string; address: string; role: string; automatic: number; created_at: string };
}
const q = (db: AnyDb) => db as Kysely<OutboundTables>;

/** What an outbound mail is for. Status notices carry the status they announce. */
export type OutboundKind = 'reply' | 'acknowledgement' | 'status_waiting' | 'status_resolved' | 'status_closed';
/** Every kind of stored outbound mail: the customer-notification occasions plus mail a rule sends. */
export type MailKind = OutboundKind | 'automation' | 'agent_notification';
/** queued: waiting for (another) attempt; sent: the relay (or local outbox) took it; failed: given up or bounced; suppressed: never sent (rate limit). */
export type OutboundStatus = 'queued' | 'sent' | 'failed' | 'suppressed';

export interface OutboundMail {
  id: string;
  ticketId: string;
  ticketMessageId: string | null;
  kind: MailKind;
  dedupeKey: string;
  mailboxId: string | null;
  headerId: string;
  from: string;
  to: MailAddress[];
  cc: MailAddress[];
  subject: string;
  automatic: boolean;
  status: OutboundStatus;
  transport: 'smtp' | 'local' | null;
  attempts: number;
  lastError: string | null;
  lastErrorAt: string | null;
  smtpResponse: string | null;
  queuedAt: string;
  sentAt: string | null;
  failedAt: string | null;
}

type Row = Omit<OutboundTables['mail_outbound'], 'raw'>;
const COLUMNS = [
  'id', 'ticket_id', 'ticket_message_id', 'kind', 'dedupe_key', 'mailbox_id', 'header_id', 'from_address', 'to_addresses', 'cc_addresses', 'subject',
  'automatic', 'status', 'transport', 'attempts', 'last_error', 'last_error_at', 'smtp_response', 'queued_at', 'sent_at', 'failed_at', 'updated_at',
] as const;

const toOutbound = (r: Row): OutboundMail => ({
  id: r.id,
  ticketId: r.ticket_id,
  ticketMessageId: r.ticket_message_id,
  kind: r.kind as MailKind,
  dedupeKey: r.dedupe_key,
  mailboxId: r.mailbox_id,
  headerId: r.header_id,
  from: r.from_address,
  to: toJson<MailAddress[]>(r.to_addresses, []),
  cc: toJson<MailAddress[]>(r.cc_addresses, []),
  subject: r.subject,
  automatic: toBool(r.automatic),
  status: r.status as OutboundStatus,
  transport: r.transport as OutboundMail['transport'],
  attempts: Number(r.attempts),
  lastError: r.last_error,
  lastErrorAt: toIsoOrNull(r.last_error_at),
  smtpResponse: r.smtp_response,
  queuedAt: toIso(r.queued_at),
  sentAt: toIsoOrNull(r.sent_at),
  failedAt: toIsoOrNull(r.failed_at),
});

/** Stores a composed mail and its recipients; false when a mail for the same cause exists already. */
export async function insertOutbound(db: AnyDb, m: OutboundMail, raw: Buffer): Promise<boolean> {
  const inserted = await q(db)
    .insertInto('mail_outbound')
    .values({
      id: m.id,
      ticket_id: m.ticketId,
      ticket_message_id: m.ticketMessageId,
      kind: m.kind,
      dedupe_key: m.dedupeKey,
      mailbox_id: m.mailboxId,
      header_id: m.headerId,
      from_address: m.from,
      to_addresses: jsonParam(m.to),
      cc_addresses: jsonParam(m.cc),
      subject: m.subject,
      automatic: boolValue(m.automatic),
      raw,
      status: m.status,
      transport: m.transport,
      attempts: 0,
      last_error: m.lastError,
      last_error_at: m.lastErrorAt,
      smtp_response: null,
      queued_at: m.queuedAt,
      sent_at: null,
      failed_at: null,
      updated_at: m.queuedAt,
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) return false;
  const rows = [...m.to.map((a) => ({ a, role: 'to' })), ...m.cc.map((a) => ({ a, role: 'cc' }))];
  const unique = [...new Map(rows.map((r) => [r.a.address.toLowerCase(), r])).values()];
  if (unique.length > 0) {
    await q(db)
      .insertInto('mail_outbound_recipients')
      .values(unique.map((r) => ({ outbound_id: m.id, ticket_id: m.ticketId, address: r.a.address.toLowerCase(), role: r.role, automatic: boolValue(m.automatic), created_at: m.queuedAt })))
      .execute();
  }
  return true;
}

export async function findOutbound(db: AnyDb, id: string): Promise<OutboundMail | undefined> {
  const r = await q(db).selectFrom('mail_outbound').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  return r ? toOutbound(r) : undefined;
}

export async function findOutboundByHeaderId(db: AnyDb, headerId: string): Promise<OutboundMail | undefined> {
  const r = await q(db).selectFrom('mail_outbound').select(COLUMNS).where('header_id', '=', headerId).executeTakeFirst();
  return r ? toOutbound(r) : undefined;
}

/**
 * Whether one of these Message-IDs is an agent notification about one of these tickets that
 * went out to `address` (a held-back one never did): only its recipient has seen that id, so a
 * reply naming it is the recipient answering, not anyone who merely writes their address in From.
 */
export async function answersAgentNotification(db: AnyDb, headerIds: readonly string[], ticketIds: readonly string[], address: string): Promise<boolean> {
  if (headerIds.length === 0 || ticketIds.length === 0) return false;
  const r = await q(db)
    .selectFrom('mail_outbound')
    .innerJoin('mail_outbound_recipients', 'mail_outbound_recipients.outbound_id', 'mail_outbound.id')
    .select('mail_outbound.id')
    .where('mail_outbound.header_id', 'in', [...new Set(headerIds)])
    .where('mail_outbound.kind', '=', 'agent_notification')
    .where('mail_outbound.status', '!=', 'suppressed')
    .where('mail_outbound.ticket_id', 'in', [...new Set(ticketIds)])
    .where('mail_outbound_recipients.address', '=', address.toLowerCase())
    .limit(1)
    .executeTakeFirst();
  return Boolean(r);
}

export async function readOutboundRaw(db: AnyDb, id: string): Promise<Buffer | undefined> {
  const r = await q(db).selectFrom('mail_outbound').select('raw').where('id', '=', id).executeTakeFirst();
  return r ? Buffer.from(r.raw) : undefined;
}

/** A ticket's outbound mail, oldest first (a ticket sends a few dozen at most). */
export async function listOutboundOfTicket(db: AnyDb, ticketId: string): Promise<OutboundMail[]> {
  const rows = await q(db).selectFrom('mail_outbound').select(COLUMNS).where('ticket_id', '=', ticketId).orderBy('queued_at').orderBy('id').limit(1000).execute();
  return rows.map(toOutbound);
}

/** The local outbox (mail delivered without a relay), newest first, keyset on (queued_at, id). */
export async function listLocalOutboxPage(db: AnyDb, opts: { before?: { at: string; id: string } | undefined; limit: number }): Promise<(OutboundMail & { raw: Buffer })[]> {
  let sel = q(db).selectFrom('mail_outbound').select([...COLUMNS, 'raw']).where('transport', '=', 'local');
  if (opts.before) {
    const b = opts.before;
    sel = sel.where((eb) => eb.or([eb('queued_at', '<', b.at), eb.and([eb('queued_at', '=', b.at), eb('id', '<', b.id)])]));
  }
  const rows = await sel.orderBy('queued_at', 'desc').orderBy('id', 'desc').limit(opts.limit).execute();
  return rows.map((r) => ({ ...toOutbound(r), raw: Buffer.from(r.raw) }));
}

/** Automatic mail that went to this address on this ticket since `since` (the rate limit). */
export async function countAutomaticSince(db: AnyDb, ticketId: string, address: string, since: string): Promise<number> {
  const r = await q(db)
    .selectFrom('mail_outbound_recipients')
    .select(sql<number>`count(*)`.as('n'))
    .where('ticket_id', '=', ticketId)
    .where('address', '=', address.toLowerCase())
    .where('automatic', '=', 1)
    .where('created_at', '>', since)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** Counts an attempt before it is made, so a crash mid-send still shows it. */
export async function recordAttempt(db: AnyDb, id: string, at: string): Promise<number> {
  const r = await q(db)
    .updateTable('mail_outbound')
    .set({ attempts: sql`attempts + 1`, updated_at: at })
    .where('id', '=', id)
    .where('status', '=', 'queued')
    .returning('attempts')
    .executeTakeFirst();
  return r ? Number(r.attempts) : 0;
}

export async function markSent(db: AnyDb, id: string, o: { transport: 'smtp' | 'local'; response: string; rejected: string[]; at: string }): Promise<void> {
  await q(db)
    .updateTable('mail_outbound')
    .set({
      status: 'sent',
      transport: o.transport,
      smtp_response: o.response.slice(0, 1000),
      sent_at: o.at,
      updated_at: o.at,
      // Some recipients refused while others accepted: sent, with the refusals kept as the error.
      ...(o.rejected.length ? { last_error: `refused by the relay: ${o.rejected.join(', ')}`.slice(0, 2000), last_error_at: o.at } : {}),
    })
    .where('id', '=', id)
    .where('status', '=', 'queued')
    .execute();
}

/** Records a failed attempt; `final` gives up on the message. */
export async function markAttemptFailed(db: AnyDb, id: string, o: { error: string; at: string; final: boolean; transport: 'smtp' | 'local' }): Promise<void> {
  await q(db)
    .updateTable('mail_outbound')
    .set({
      last_error: o.error.slice(0, 2000),
      last_error_at: o.at,
      transport: o.transport,
      updated_at: o.at,
      ...(o.final ? { status: 'failed', failed_at: o.at } : {}),
    })
    .where('id', '=', id)
    .where('status', '=', 'queued')
    .execute();
}

/** A bounce: the message was sent, but a recipient's server gave up on it. */
export async function markBounced(db: AnyDb, id: string, error: string, at: string): Promise<void> {
  await q(db).updateTable('mail_outbound').set({ status: 'failed', last_error: error.slice(0, 2000), last_error_at: at, failed_at: at, updated_at: at }).where('id', '=', id).execute();
}

/** A delay notice: still on its way, but worth showing. */
export async function noteDeliveryDelay(db: AnyDb, id: string, note: string, at: string): Promise<void> {
  await q(db).updateTable('mail_outbound').set({ last_error: note.slice(0, 2000), last_error_at: at, updated_at: at }).where('id', '=', id).execute();
}
