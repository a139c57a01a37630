import type { Kysely } from 'kysely';
import type { AnyDb } from '../../platform/db/database.js';
import { jsonParam, toBool, toIso, toJson } from '../../platform/db/rows.js';

interface TrackerTables {
  issue_trackers: {
    id: string;
    name: string;
    create_url: string;
    create_template: string;
    comment_url: string | null;
    comment_template: string | null;
    headers: unknown;
    id_path: string;
    url_path: string | null;
    inbound_secret: string;
    active: number;
    created_at: string;
    updated_at: string;
  };
  ticket_transfers: {
    ticket_id: string;
    ticket_number: number;
    tracker_id: string;
    external_id: string;
    external_url: string | null;
    external_status: string;
    transferred_by: string | null;
    created_at: string;
    updated_at: string;
  };
}
const q = (db: AnyDb) => db as Kysely<TrackerTables>;

export interface Tracker {
  id: string;
  name: string;
  createUrl: string;
  createTemplate: string;
  commentUrl: string | null;
  commentTemplate: string | null;
  headers: Record<string, string>;
  idPath: string;
  urlPath: string | null;
  inboundSecret: string;
  active: boolean;
  createdAt: string;
}

export type TransferStatus = 'transferred' | 'in_progress' | 'resolved';

export interface Transfer {
  ticketId: string;
  number: number;
  trackerId: string;
  externalId: string;
  externalUrl: string | null;
  externalStatus: TransferStatus;
  transferredBy: string | null;
  createdAt: string;
  updatedAt: string;
}

const toTracker = (r: TrackerTables['issue_trackers']): Tracker => ({
  id: r.id,
  name: r.name,
  createUrl: r.create_url,
  createTemplate: r.create_template,
  commentUrl: r.comment_url,
  commentTemplate: r.comment_template,
  headers: toJson<Record<string, string>>(r.headers, {}),
  idPath: r.id_path,
  urlPath: r.url_path,
  inboundSecret: r.inbound_secret,
  active: toBool(r.active),
  createdAt: toIso(r.created_at),
});

const toTransfer = (r: TrackerTables['ticket_transfers']): Transfer => ({
  ticketId: r.ticket_id,
  number: Number(r.ticket_number),
  trackerId: r.tracker_id,
  externalId: r.external_id,
  externalUrl: r.external_url,
  externalStatus: r.external_status as TransferStatus,
  transferredBy: r.transferred_by,
  createdAt: toIso(r.created_at),
  updatedAt: toIso(r.updated_at),
});

export async function insertTracker(db: AnyDb, t: Tracker): Promise<void> {
  await q(db)
    .insertInto('issue_trackers')
    .values({
      id: t.id,
      name: t.name,
      create_url: t.createUrl,
      create_template: t.createTemplate,
      comment_url: t.commentUrl,
      comment_template: t.commentTemplate,
      headers: jsonParam(t.headers),
      id_path: t.idPath,
      url_path: t.urlPath,
      inbound_secret: t.inboundSecret,
      active: t.active ? 1 : 0,
      created_at: t.createdAt,
      updated_at: t.createdAt,
    })
    .execute();
}

export async function findTracker(db: AnyDb, id: string): Promise<Tracker | undefined> {
  const r = await q(db).selectFrom('issue_trackers').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toTracker(r) : undefined;
}

export async function listTrackerRows(db: AnyDb): Promise<Tracker[]> {
  return (await q(db).selectFrom('issue_trackers').selectAll().orderBy('created_at').orderBy('id').execute()).map(toTracker);
}

export async function deleteTrackerRow(db: AnyDb, id: string): Promise<void> {
  await q(db).deleteFrom('issue_trackers').where('id', '=', id).execute();
}

export async function countTransfersOf(db: AnyDb, trackerId: string): Promise<number> {
  const r = await q(db).selectFrom('ticket_transfers').select((eb) => eb.fn.countAll<number>().as('n')).where('tracker_id', '=', trackerId).executeTakeFirst();
  return Number(r?.n ?? 0);
}

export async function insertTransfer(db: AnyDb, t: Transfer): Promise<void> {
  await q(db)
    .insertInto('ticket_transfers')
    .values({
      ticket_id: t.ticketId,
      ticket_number: t.number,
      tracker_id: t.trackerId,
      external_id: t.externalId,
      external_url: t.externalUrl,
      external_status: t.externalStatus,
      transferred_by: t.transferredBy,
      created_at: t.createdAt,
      updated_at: t.updatedAt,
    })
    .execute();
}

export async function findTransfer(db: AnyDb, ticketId: string): Promise<Transfer | undefined> {
  const r = await q(db).selectFrom('ticket_transfers').selectAll().where('ticket_id', '=', ticketId).executeTakeFirst();
  return r ? toTransfer(r) : undefined;
}

export async function findTransferByExternal(db: AnyDb, trackerId: string, externalId: string): Promise<Transfer | undefined> {
  const r = await q(db).selectFrom('ticket_transfers').selectAll().where('tracker_id', '=', trackerId).where('external_id', '=', externalId).executeTakeFirst();
  return r ? toTransfer(r) : undefined;
}

export async function setTransferStatus(db: AnyDb, ticketId: string, status: TransferStatus, at: string): Promise<void> {
  await q(db).updateTable('ticket_transfers').set({ external_status: status, updated_at: at }).where('ticket_id', '=', ticketId).execute();
}

/** All transferred tickets, newest transfer first, optionally one external status. */
export async function listTransferRows(db: AnyDb, o: { status?: TransferStatus | undefined; limit: number }): Promise<Transfer[]> {
  let query = q(db).selectFrom('ticket_transfers').selectAll().orderBy('created_at', 'desc').orderBy('ticket_id', 'desc').limit(o.limit);
  if (o.status) query = query.where('external_status', '=', o.status);
  return (await query.execute()).map(toTransfer);
}
