import { sql, type Kysely } from 'kysely';
import type { AnyDb } from '../../../platform/db/dialect/types.js';
import { toIso, toIsoOrNull } from '../../../platform/db/rows.js';

/** Sign-in links and customer sessions of the portal; only hashes of their tokens are stored. */
interface PortalTables {
  portal_sign_in_links: {
    id: string;
    token_hash: string;
    contact_id: string | null;
    email: string;
    mailbox_id: string | null;
    expires_at: string;
    used_at: string | null;
    created_at: string;
  };
  portal_sessions: { id: string; contact_id: string; csrf_token: string; mailbox_id: string | null; created_at: string; expires_at: string };
}
const q = (db: AnyDb) => db as unknown as Kysely<PortalTables>;

export interface SignInLink {
  id: string;
  email: string;
  mailboxId: string | null;
  expiresAt: string;
  usedAt: string | null;
}

export interface PortalSession {
  id: string;
  contactId: string;
  csrfToken: string;
  mailboxId: string | null;
  expiresAt: string;
}

export async function insertSignInLink(db: AnyDb, l: { id: string; tokenHash: string; email: string; mailboxId: string | null; expiresAt: string; createdAt: string }): Promise<void> {
  await q(db)
    .insertInto('portal_sign_in_links')
    .values({ id: l.id, token_hash: l.tokenHash, contact_id: null, email: l.email, mailbox_id: l.mailboxId, expires_at: l.expiresAt, used_at: null, created_at: l.createdAt })
    .execute();
}

export async function countRecentLinks(db: AnyDb, email: string, since: string): Promise<number> {
  const r = await q(db).selectFrom('portal_sign_in_links').select(sql<number>`count(*)`.as('n')).where('email', '=', email).where('created_at', '>', since).executeTakeFirst();
  return Number(r?.n ?? 0);
}

/**
 * Marks a link used if it is unused and unexpired, in one statement, so two requests racing
 * with the same token cannot both sign in. Returns the link only to the winner.
 */
export async function consumeSignInLink(db: AnyDb, tokenHash: string, now: string): Promise<SignInLink | undefined> {
  const res = await q(db)
    .updateTable('portal_sign_in_links')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) return undefined;
  const r = await q(db).selectFrom('portal_sign_in_links').selectAll().where('token_hash', '=', tokenHash).executeTakeFirstOrThrow();
  return { id: r.id, email: r.email, mailboxId: r.mailbox_id, expiresAt: toIso(r.expires_at), usedAt: toIsoOrNull(r.used_at) };
}

export async function setLinkContact(db: AnyDb, id: string, contactId: string): Promise<void> {
  await q(db).updateTable('portal_sign_in_links').set({ contact_id: contactId }).where('id', '=', id).execute();
}

export async function insertPortalSession(db: AnyDb, s: PortalSession & { createdAt: string }): Promise<void> {
  await q(db)
    .insertInto('portal_sessions')
    .values({ id: s.id, contact_id: s.contactId, csrf_token: s.csrfToken, mailbox_id: s.mailboxId, created_at: s.createdAt, expires_at: s.expiresAt })
    .execute();
}

export async function findPortalSession(db: AnyDb, id: string): Promise<PortalSession | undefined> {
  const r = await q(db).selectFrom('portal_sessions').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? { id: r.id, contactId: r.contact_id, csrfToken: r.csrf_token, mailboxId: r.mailbox_id, expiresAt: toIso(r.expires_at) } : undefined;
}

export async function deletePortalSession(db: AnyDb, id: string): Promise<void> {
  await q(db).deleteFrom('portal_sessions').where('id', '=', id).execute();
}
