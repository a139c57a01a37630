import { sql, type Kysely } from 'kysely';
import type { AnyDb } from '../../platform/db/database.js';
import { boolValue } from '../../platform/db/dialect/sql.js';
import { prepared } from '../../platform/db/prepared.js';
import { jsonParam, toBool, toIso, toIsoOrNull, toJson } from '../../platform/db/rows.js';

interface InboundTable {
  inbound_mail: {
    id: string;
    message_id: string;
    source: string;
    mailbox_id: string | null;
    envelope: unknown;
    raw: Uint8Array;
    size: number;
    sha256: string;
    status: string;
    reason: string | null;
    deliveries: number;
    from_address: string | null;
    subject: string | null;
    kind: string | null;
    suppress_auto_reply: number;
    loop_signals: unknown;
    thread_match: string | null;
    ticket_id: string | null;
    ticket_message_id: string | null;
    trimmed: number;
    attempts: number;
    received_at: string;
    processed_at: string | null;
    updated_at: string;
  };
}
const q = (db: AnyDb) => db as Kysely<InboundTable>;

export type MailSource = 'smtp' | 'api' | 'pipe' | 'imap';
export type InboundStatus = 'pending' | 'processed' | 'quarantined' | 'duplicate' | 'ignored';

export interface InboundEnvelope {
  mailFrom: string | null;
  rcptTo: string[];
  remoteAddress: string | null;
  helo: string | null;
  tls: boolean;
}

export interface InboundMail {
  id: string;
  messageId: string;
  source: MailSource;
  mailboxId: string | null;
  envelope: InboundEnvelope;
  size: number;
  sha256: string;
  status: InboundStatus;
  reason: string | null;
  deliveries: number;
  from: string | null;
  subject: string | null;
  kind: string | null;
  suppressAutoReply: boolean;
  loopSignals: string[];
  threadMatch: string | null;
  ticketId: string | null;
  ticketMessageId: string | null;
  trimmed: boolean;
  attempts: number;
  receivedAt: string;
  processedAt: string | null;
}

type Row = Omit<InboundTable['inbound_mail'], 'raw'>;

const toInbound = (r: Row): InboundMail => ({
  id: r.id,
  messageId: r.message_id,
  source: r.source as MailSource,
  mailboxId: r.mailbox_id,
  envelope: { mailFrom: null, rcptTo: [], remoteAddress: null, helo: null, tls: false, ...toJson<Partial<InboundEnvelope>>(r.envelope, {}) },
  size: Number(r.size),
  sha256: r.sha256,
  status: r.status as InboundStatus,
  reason: r.reason,
  deliveries: Number(r.deliveries),
  from: r.from_address,
  subject: r.subject,
  kind: r.kind,
  suppressAutoReply: toBool(r.suppress_auto_reply),
  loopSignals: toJson<string[]>(r.loop_signals, []),
  threadMatch: r.thread_match,
  ticketId: r.ticket_id,
  ticketMessageId: r.ticket_message_id,
  trimmed: toBool(r.trimmed),
  attempts: Number(r.attempts),
  receivedAt: toIso(r.received_at),
  processedAt: toIsoOrNull(r.processed_at),
});

const COLUMNS = [
  'id', 'message_id', 'source', 'mailbox_id', 'envelope', 'size', 'sha256', 'status', 'reason', 'deliveries', 'from_address', 'subject', 'kind',
  'suppress_auto_reply', 'loop_signals', 'thread_match', 'ticket_id', 'ticket_message_id', 'trimmed', 'attempts', 'received_at', 'processed_at', 'updated_at',
] as const;

export interface NewInbound {
  id: string;
  messageId: string;
  source: MailSource;
  mailboxId: string | null;
  envelope: InboundEnvelope;
  raw: Buffer;
  sha256: string;
  from: string | null;
  subject: string | null;
  receivedAt: string;
}

/**
 * Stores a raw message unless one with the same Message-ID is already stored; a repeat
 * delivery only counts. Returns the id of the stored row and whether it was new.
 */
export async function insertInbound(db: AnyDb, m: NewInbound): Promise<{ id: string; status: InboundStatus; inserted: boolean }> {
  const inserted = await q(db)
    .insertInto('inbound_mail')
    .values({
      id: m.id,
      message_id: m.messageId,
      source: m.source,
      mailbox_id: m.mailboxId,
      envelope: jsonParam(m.envelope),
      raw: m.raw,
      size: m.raw.length,
      sha256: m.sha256,
      status: 'pending',
      reason: null,
      deliveries: 1,
      from_address: m.from,
      subject: m.subject,
      kind: null,
      suppress_auto_reply: 0,
      loop_signals: jsonParam([]),
      thread_match: null,
      ticket_id: null,
      ticket_message_id: null,
      trimmed: 0,
      attempts: 0,
      received_at: m.receivedAt,
      processed_at: null,
      updated_at: m.receivedAt,
    })
    .onConflict((oc) => oc.column('message_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { id: inserted.id, status: 'pending', inserted: true };
  const existing = await q(db)
    .updateTable('inbound_mail')
    .set({ deliveries: sql`deliveries + 1` })
    .where('message_id', '=', m.messageId)
    .returning(['id', 'status'])
    .executeTakeFirstOrThrow();
  return { id: existing.id, status: existing.status as InboundStatus, inserted: false };
}

export async function findInbound(db: AnyDb, id: string): Promise<InboundMail | undefined> {
  const r = await q(db).selectFrom('inbound_mail').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  return r ? toInbound(r) : undefined;
}

export async function readInboundRaw(db: AnyDb, id: string): Promise<Buffer | undefined> {
  const r = await q(db).selectFrom('inbound_mail').select('raw').where('id', '=', id).executeTakeFirst();
  return r ? Buffer.from(r.raw) : undefined;
}

// Read and written once for every mail processed: compiled once.
const withRaw = prepared<{ id: string }, InboundTable['inbound_mail']>('inbound_mail.with-raw', (db, v) => q(db).selectFrom('inbound_mail').select([...COLUMNS, 'raw']).where('id', '=', v.id));
const withRawLocked = prepared<{ id: string }, InboundTable['inbound_mail']>('inbound_mail.with-raw-locked', (db, v) => q(db).selectFrom('inbound_mail').select([...COLUMNS, 'raw']).where('id', '=', v.id).forUpdate());

/** Locks the row for processing (PostgreSQL; SQLite's single writer serialises anyway) and reads it with its raw bytes. */
export async function lockInbound(db: AnyDb, id: string, rowLocks: boolean): Promise<{ row: InboundMail; raw: Buffer } | undefined> {
  const [r] = await (rowLocks ? withRawLocked : withRaw)(db, { id });
  return r ? { row: toInbound(r), raw: Buffer.from(r.raw) } : undefined;
}

/** Whether one of these Message-IDs belongs to another stored message that is still waiting to be processed. */
export async function anyPendingWithMessageIds(db: AnyDb, messageIds: readonly string[], exceptId: string): Promise<boolean> {
  if (messageIds.length === 0) return false;
  const r = await q(db).selectFrom('inbound_mail').select('id').where('message_id', 'in', [...messageIds]).where('status', '=', 'pending').where('id', '!=', exceptId).limit(1).executeTakeFirst();
  return Boolean(r);
}

export async function findInboundByTicketMessage(db: AnyDb, messageId: string): Promise<InboundMail | undefined> {
  const r = await q(db).selectFrom('inbound_mail').select(COLUMNS).where('ticket_message_id', '=', messageId).executeTakeFirst();
  return r ? toInbound(r) : undefined;
}

export async function listInboundPage(db: AnyDb, opts: { status?: InboundStatus | undefined; before?: { at: string; id: string } | undefined; limit: number }): Promise<InboundMail[]> {
  let sel = q(db).selectFrom('inbound_mail').select(COLUMNS);
  if (opts.status) sel = sel.where('status', '=', opts.status);
  if (opts.before) {
    const b = opts.before;
    sel = sel.where((eb) => eb.or([eb('received_at', '<', b.at), eb.and([eb('received_at', '=', b.at), eb('id', '<', b.id)])]));
  }
  return (await sel.orderBy('received_at', 'desc').orderBy('id', 'desc').limit(opts.limit).execute()).map(toInbound);
}

export interface InboundOutcome {
  status: InboundStatus;
  reason: string | null;
  kind: string | null;
  suppressAutoReply: boolean;
  loopSignals: string[];
  threadMatch: string | null;
  ticketId: string | null;
  ticketMessageId: string | null;
  trimmed: boolean;
  from?: string | null | undefined;
  subject?: string | null | undefined;
}

interface OutcomeValues {
  id: string;
  status: string;
  reason: string | null;
  kind: string | null;
  suppressAutoReply: number;
  loopSignals: string;
  threadMatch: string | null;
  ticketId: string | null;
  ticketMessageId: string | null;
  trimmed: number;
  at: string;
  from: string | null;
  subject: string | null;
}

/** One statement for each set of optional columns (a missing sender or subject is left as stored). */
const outcomeUpdate = (withFrom: boolean, withSubject: boolean) =>
  prepared<OutcomeValues>(`inbound_mail.outcome${withFrom ? '+from' : ''}${withSubject ? '+subject' : ''}`, (db, v) =>
    q(db)
      .updateTable('inbound_mail')
      .set({
        status: v.status,
        reason: v.reason,
        kind: v.kind,
        suppress_auto_reply: v.suppressAutoReply,
        loop_signals: v.loopSignals,
        thread_match: v.threadMatch,
        ticket_id: v.ticketId,
        ticket_message_id: v.ticketMessageId,
        trimmed: v.trimmed,
        attempts: sql`attempts + 1`,
        processed_at: v.at,
        updated_at: v.at,
        ...(withFrom ? { from_address: v.from } : {}),
        ...(withSubject ? { subject: v.subject } : {}),
      })
      .where('id', '=', v.id),
  );
const OUTCOME_UPDATES = [outcomeUpdate(false, false), outcomeUpdate(true, false), outcomeUpdate(false, true), outcomeUpdate(true, true)] as const;

export async function saveInboundOutcome(db: AnyDb, id: string, o: InboundOutcome, at: string): Promise<void> {
  const update = OUTCOME_UPDATES[(o.from !== undefined ? 1 : 0) + (o.subject !== undefined ? 2 : 0)]!;
  await update(db, {
    id,
    status: o.status,
    reason: o.reason?.slice(0, 2000) ?? null,
    kind: o.kind,
    suppressAutoReply: boolValue(o.suppressAutoReply),
    loopSignals: jsonParam(o.loopSignals),
    threadMatch: o.threadMatch,
    ticketId: o.ticketId,
    ticketMessageId: o.ticketMessageId,
    trimmed: boolValue(o.trimmed),
    at,
    from: o.from ?? null,
    subject: o.subject ?? null,
  });
}

/** Puts a message back in the queue (replay after a fix). */
export async function resetInboundToPending(db: AnyDb, id: string, at: string): Promise<void> {
  await q(db).updateTable('inbound_mail').set({ status: 'pending', reason: null, processed_at: null, updated_at: at }).where('id', '=', id).execute();
}

export async function countInboundForMailbox(db: AnyDb, mailboxId: string): Promise<number> {
  const r = await q(db).selectFrom('inbound_mail').select((eb) => eb.fn.countAll<number>().as('n')).where('mailbox_id', '=', mailboxId).executeTakeFirst();
  return Number(r?.n ?? 0);
}
