import type { Kysely } from 'kysely';
import type { AnyDb } from '../../platform/db/database.js';
import { boolValue } from '../../platform/db/dialect/sql.js';
import { jsonParam, toBool, toIso, toIsoOrNull, toJson } from '../../platform/db/rows.js';

interface MailboxTable {
  mailboxes: {
    id: string;
    address: string;
    display_name: string;
    brand: unknown;
    default_group_id: string | null;
    active: number;
    imap_host: string | null;
    imap_port: number | null;
    imap_tls: number;
    imap_tls_verify: number;
    imap_user: string | null;
    imap_password: string | null;
    imap_folder: string;
    imap_keep_on_server: number;
    imap_enabled: number;
    imap_uid_validity: number | null;
    imap_last_uid: number | null;
    imap_state: string;
    imap_last_poll_at: string | null;
    imap_last_success_at: string | null;
    imap_last_error: string | null;
    imap_last_error_at: string | null;
    imap_consecutive_failures: number;
    created_at: string;
    updated_at: string;
  };
}
const q = (db: AnyDb) => db as Kysely<MailboxTable>;

export interface Brand {
  name: string;
  logoUrl: string | null;
  colour: string;
  signature: string;
}

export type ImapState = 'idle' | 'ok' | 'auth_failed' | 'error';

export interface ImapSettings {
  host: string | null;
  port: number | null;
  tls: boolean;
  /** Verify the server's certificate; off only by an explicit admin choice (warned about loudly). */
  tlsVerify: boolean;
  user: string | null;
  /** Only the IMAP poller reads it; presenters show `passwordSet`. */
  password: string | null;
  folder: string;
  keepOnServer: boolean;
  enabled: boolean;
}

/** Where the IMAP poller stands for this mailbox: its cursor and its health. */
export interface ImapSyncState {
  state: ImapState;
  uidValidity: number | null;
  lastUid: number | null;
  lastPollAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  consecutiveFailures: number;
}

export interface Mailbox {
  id: string;
  address: string;
  displayName: string;
  brand: Brand;
  defaultGroupId: string | null;
  active: boolean;
  imap: ImapSettings;
  imapSync: ImapSyncState;
  createdAt: string;
  updatedAt: string;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

const toMailbox = (r: MailboxTable['mailboxes']): Mailbox => ({
  id: r.id,
  address: r.address,
  displayName: r.display_name,
  brand: { name: '', logoUrl: null, colour: '#1f6feb', signature: '', ...toJson<Partial<Brand>>(r.brand, {}) },
  defaultGroupId: r.default_group_id,
  active: toBool(r.active),
  imap: {
    host: r.imap_host,
    port: num(r.imap_port),
    tls: toBool(r.imap_tls),
    tlsVerify: toBool(r.imap_tls_verify),
    user: r.imap_user,
    password: r.imap_password,
    folder: r.imap_folder,
    keepOnServer: toBool(r.imap_keep_on_server),
    enabled: toBool(r.imap_enabled),
  },
  imapSync: {
    state: r.imap_state as ImapState,
    uidValidity: num(r.imap_uid_validity),
    lastUid: num(r.imap_last_uid),
    lastPollAt: toIsoOrNull(r.imap_last_poll_at),
    lastSuccessAt: toIsoOrNull(r.imap_last_success_at),
    lastError: r.imap_last_error,
    lastErrorAt: toIsoOrNull(r.imap_last_error_at),
    consecutiveFailures: Number(r.imap_consecutive_failures),
  },
  createdAt: toIso(r.created_at),
  updatedAt: toIso(r.updated_at),
});

const settingsColumns = (m: Mailbox) => ({
  address: m.address,
  display_name: m.displayName,
  brand: jsonParam(m.brand),
  default_group_id: m.defaultGroupId,
  active: boolValue(m.active),
  imap_host: m.imap.host,
  imap_port: m.imap.port,
  imap_tls: boolValue(m.imap.tls),
  imap_tls_verify: boolValue(m.imap.tlsVerify),
  imap_user: m.imap.user,
  imap_password: m.imap.password,
  imap_folder: m.imap.folder,
  imap_keep_on_server: boolValue(m.imap.keepOnServer),
  imap_enabled: boolValue(m.imap.enabled),
  updated_at: m.updatedAt,
});

export async function insertMailbox(db: AnyDb, m: Mailbox): Promise<boolean> {
  const r = await q(db)
    .insertInto('mailboxes')
    .values({
      id: m.id,
      ...settingsColumns(m),
      imap_uid_validity: null,
      imap_last_uid: null,
      imap_state: 'idle',
      imap_last_poll_at: null,
      imap_last_success_at: null,
      imap_last_error: null,
      imap_last_error_at: null,
      imap_consecutive_failures: 0,
      created_at: m.createdAt,
    })
    .onConflict((oc) => oc.column('address').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Saves the admin-editable settings; the IMAP sync state is the poller's and is left alone. */
export async function updateMailboxSettings(db: AnyDb, m: Mailbox): Promise<void> {
  await q(db).updateTable('mailboxes').set(settingsColumns(m)).where('id', '=', m.id).execute();
}

/** Records a poll outcome (for the IMAP poller). */
export async function saveImapSyncState(db: AnyDb, id: string, s: ImapSyncState): Promise<void> {
  await q(db)
    .updateTable('mailboxes')
    .set({
      imap_state: s.state,
      imap_uid_validity: s.uidValidity,
      imap_last_uid: s.lastUid,
      imap_last_poll_at: s.lastPollAt,
      imap_last_success_at: s.lastSuccessAt,
      imap_last_error: s.lastError,
      imap_last_error_at: s.lastErrorAt,
      imap_consecutive_failures: s.consecutiveFailures,
    })
    .where('id', '=', id)
    .execute();
}

export async function deleteMailboxRow(db: AnyDb, id: string): Promise<void> {
  await q(db).deleteFrom('mailboxes').where('id', '=', id).execute();
}

export async function findMailboxById(db: AnyDb, id: string): Promise<Mailbox | undefined> {
  const r = await q(db).selectFrom('mailboxes').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toMailbox(r) : undefined;
}

export async function findMailboxByAddress(db: AnyDb, address: string): Promise<Mailbox | undefined> {
  const r = await q(db).selectFrom('mailboxes').selectAll().where('address', '=', address.toLowerCase()).executeTakeFirst();
  return r ? toMailbox(r) : undefined;
}

export async function listMailboxRows(db: AnyDb, opts: { activeOnly?: boolean; imapEnabledOnly?: boolean } = {}): Promise<Mailbox[]> {
  let sel = q(db).selectFrom('mailboxes').selectAll();
  if (opts.activeOnly) sel = sel.where('active', '=', 1);
  if (opts.imapEnabledOnly) sel = sel.where('imap_enabled', '=', 1);
  return (await sel.orderBy('address').execute()).map(toMailbox);
}
