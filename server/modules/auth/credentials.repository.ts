import type { Kysely } from 'kysely';
import type { AnyDb } from '../../platform/db/database.js';
import { jsonParam, toIso, toIsoOrNull, toJson } from '../../platform/db/rows.js';
import { prepared } from '../../platform/db/prepared.js';
import type { AuthTables } from './auth.tables.js';

const q = (db: AnyDb) => db as Kysely<AuthTables>;

export interface SessionRow {
  id: string;
  userId: string;
  csrfToken: string;
  expiresAt: string;
}

export interface ApiToken {
  id: string;
  userId: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

export async function insertSession(
  db: AnyDb,
  s: SessionRow & { createdAt: string; ip: string | null; userAgent: string | null },
): Promise<void> {
  await q(db)
    .insertInto('sessions')
    .values({
      id: s.id,
      user_id: s.userId,
      csrf_token: s.csrfToken,
      created_at: s.createdAt,
      expires_at: s.expiresAt,
      ip: s.ip,
      user_agent: s.userAgent,
    })
    .execute();
}

export async function findSession(db: AnyDb, id: string): Promise<SessionRow | undefined> {
  const r = await q(db).selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? { id: r.id, userId: r.user_id, csrfToken: r.csrf_token, expiresAt: toIso(r.expires_at) } : undefined;
}

export async function deleteSession(db: AnyDb, id: string): Promise<void> {
  await q(db).deleteFrom('sessions').where('id', '=', id).execute();
}

export async function deleteUserSessions(db: AnyDb, userId: string, exceptId?: string): Promise<void> {
  let del = q(db).deleteFrom('sessions').where('user_id', '=', userId);
  if (exceptId) del = del.where('id', '!=', exceptId);
  await del.execute();
}

export async function deleteExpiredSessions(db: AnyDb, now: Date): Promise<void> {
  await q(db).deleteFrom('sessions').where('expires_at', '<', now.toISOString()).execute();
}

function toToken(r: AuthTables['api_tokens']): ApiToken {
  return {
    id: r.id,
    userId: r.user_id,
    name: r.name,
    prefix: r.prefix,
    scopes: toJson<string[]>(r.scopes, []),
    createdAt: toIso(r.created_at),
    lastUsedAt: toIsoOrNull(r.last_used_at),
    expiresAt: toIsoOrNull(r.expires_at),
    revokedAt: toIsoOrNull(r.revoked_at),
  };
}

export async function insertApiToken(db: AnyDb, t: ApiToken & { tokenHash: string }): Promise<void> {
  await q(db)
    .insertInto('api_tokens')
    .values({
      id: t.id,
      user_id: t.userId,
      name: t.name,
      token_hash: t.tokenHash,
      prefix: t.prefix,
      scopes: jsonParam(t.scopes),
      created_at: t.createdAt,
      last_used_at: null,
      expires_at: t.expiresAt,
      revoked_at: null,
    })
    .execute();
}

const tokenByHash = prepared<{ hash: string }, AuthTables['api_tokens']>('api_tokens.by-hash', (db, v) => q(db).selectFrom('api_tokens').selectAll().where('token_hash', '=', v.hash));

/** Read for every request made with a token. */
export async function findApiTokenByHash(db: AnyDb, hash: string): Promise<ApiToken | undefined> {
  const [r] = await tokenByHash(db, { hash });
  return r ? toToken(r) : undefined;
}

export async function listApiTokens(db: AnyDb, userId: string): Promise<ApiToken[]> {
  const rows = await q(db)
    .selectFrom('api_tokens')
    .selectAll()
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map(toToken);
}

export async function revokeApiToken(db: AnyDb, userId: string, id: string, at: Date): Promise<boolean> {
  const r = await q(db)
    .updateTable('api_tokens')
    .set({ revoked_at: at.toISOString() })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function touchApiToken(db: AnyDb, id: string, at: Date): Promise<void> {
  await q(db).updateTable('api_tokens').set({ last_used_at: at.toISOString() }).where('id', '=', id).execute();
}
