import type { Kysely } from 'kysely';
import type { AnyDb } from '../../../platform/db/dialect/types.js';
import { toIso } from '../../../platform/db/rows.js';

interface SmsTables {
  sms_messages: {
    id: string;
    adapter: string;
    direction: string;
    ticket_id: string;
    message_id: string | null;
    customer_number: string;
    our_number: string;
    external_id: string | null;
    status: string;
    last_error: string | null;
    attempts: number;
    created_at: string;
    updated_at: string;
  };
}
const q = (db: AnyDb) => db as unknown as Kysely<SmsTables>;

export type SmsStatus = 'received' | 'queued' | 'sent' | 'failed';

export interface SmsMessage {
  id: string;
  adapter: string;
  direction: 'inbound' | 'outbound';
  ticketId: string;
  messageId: string | null;
  customerNumber: string;
  ourNumber: string;
  externalId: string | null;
  status: SmsStatus;
  lastError: string | null;
  attempts: number;
  createdAt: string;
}

const toSms = (r: SmsTables['sms_messages']): SmsMessage => ({
  id: r.id,
  adapter: r.adapter,
  direction: r.direction as SmsMessage['direction'],
  ticketId: r.ticket_id,
  messageId: r.message_id,
  customerNumber: r.customer_number,
  ourNumber: r.our_number,
  externalId: r.external_id,
  status: r.status as SmsStatus,
  lastError: r.last_error,
  attempts: Number(r.attempts),
  createdAt: toIso(r.created_at),
});

export async function insertSms(db: AnyDb, m: SmsMessage): Promise<void> {
  await q(db)
    .insertInto('sms_messages')
    .values({
      id: m.id,
      adapter: m.adapter,
      direction: m.direction,
      ticket_id: m.ticketId,
      message_id: m.messageId,
      customer_number: m.customerNumber,
      our_number: m.ourNumber,
      external_id: m.externalId,
      status: m.status,
      last_error: m.lastError,
      attempts: m.attempts,
      created_at: m.createdAt,
      updated_at: m.createdAt,
    })
    .execute();
}

export async function findSmsByExternalId(db: AnyDb, adapter: string, externalId: string): Promise<SmsMessage | undefined> {
  const r = await q(db).selectFrom('sms_messages').selectAll().where('adapter', '=', adapter).where('external_id', '=', externalId).executeTakeFirst();
  return r ? toSms(r) : undefined;
}

export async function findSmsById(db: AnyDb, id: string): Promise<SmsMessage | undefined> {
  const r = await q(db).selectFrom('sms_messages').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toSms(r) : undefined;
}

export async function findSmsByMessageId(db: AnyDb, messageId: string): Promise<SmsMessage | undefined> {
  const r = await q(db).selectFrom('sms_messages').selectAll().where('message_id', '=', messageId).executeTakeFirst();
  return r ? toSms(r) : undefined;
}

/** The newest text exchanged with a number: its ticket is where the next one threads. */
export async function latestSmsOfNumber(db: AnyDb, adapter: string, customerNumber: string): Promise<SmsMessage | undefined> {
  const r = await q(db)
    .selectFrom('sms_messages')
    .selectAll()
    .where('adapter', '=', adapter)
    .where('customer_number', '=', customerNumber)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r ? toSms(r) : undefined;
}

export async function latestSmsOfTicket(db: AnyDb, ticketId: string): Promise<SmsMessage | undefined> {
  const r = await q(db).selectFrom('sms_messages').selectAll().where('ticket_id', '=', ticketId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
  return r ? toSms(r) : undefined;
}

export async function listSmsOfTicket(db: AnyDb, ticketId: string): Promise<SmsMessage[]> {
  const rows = await q(db).selectFrom('sms_messages').selectAll().where('ticket_id', '=', ticketId).orderBy('created_at', 'asc').orderBy('id', 'asc').execute();
  return rows.map(toSms);
}

export async function updateSmsDelivery(db: AnyDb, id: string, patch: { status: SmsStatus; externalId?: string | null; lastError: string | null; attempts: number }, at: string): Promise<void> {
  await q(db)
    .updateTable('sms_messages')
    .set({ status: patch.status, last_error: patch.lastError, attempts: patch.attempts, updated_at: at, ...(patch.externalId !== undefined ? { external_id: patch.externalId } : {}) })
    .where('id', '=', id)
    .execute();
}
