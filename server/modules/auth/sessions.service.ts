import { createHash, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import type { createTokenRequest } from '../../../contracts/auth.js';
import type { Actor, Ctx } from '../../platform/context.js';
import { recordAudit } from '../../platform/audit/audit.repository.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { AppError, forbidden, invalidField, notFound } from '../../platform/errors.js';
import { randomToken, uuidv7 } from '../../platform/ids.js';
import {
  deleteSession,
  deleteUserSessions,
  findApiTokenByHash,
  findSession,
  insertApiToken,
  insertSession,
  listApiTokens,
  revokeApiToken,
  touchApiToken,
  type ApiToken,
} from './credentials.repository.js';
import { groupIdsByUser } from './groups.repository.js';
import { dummyHash, hashPassword, verifyPassword } from './passwords.js';
import { findUserByEmail, findUserById, updateUserRow, type User } from './users.repository.js';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const TOKEN_PREFIX = 'tsk_';

export interface Authenticated {
  actor: Actor;
  user: User;
  /** Present for cookie sessions: writes must echo it in X-CSRF-Token. */
  csrfToken: string | null;
  scopes: string[] | null;
}

async function actorFor(ctx: Ctx, user: User): Promise<Actor> {
  if (user.role === 'customer') {
    return { type: 'customer', id: user.id, name: user.name, email: user.email, contactId: user.contactId, organizationId: null, seeOrganization: false };
  }
  const groups = await groupIdsByUser(ctx.db, [user.id]);
  return {
    type: 'user',
    id: user.id,
    role: user.role,
    name: user.name,
    email: user.email,
    groupIds: groups.get(user.id) ?? [],
    restricted: user.restrictedToGroups,
  };
}

/**
 * Password login. Always verifies against some hash so a missing account takes as long as a
 * wrong password. A new session id is issued on every login (no fixation).
 */
export async function login(
  ctx: Ctx,
  input: { email: string; password: string; userAgent: string | null; sessionTtlMs: number },
): Promise<{ sessionToken: string; auth: Authenticated }> {
  const user = await findUserByEmail(ctx.db, input.email);
  const ok = await verifyPassword(user?.passwordHash ?? (await dummyHash()), input.password);
  if (!user || !ok || !user.active) {
    await inTransaction(ctx, (tx) => recordAudit(tx, 'login.failed', user ? { type: 'user', id: user.id } : null, { email: input.email }));
    throw new AppError('invalid_credentials', 'Email or password is incorrect');
  }
  const sessionToken = randomToken(32);
  const csrfToken = randomToken(24);
  const fresh = { ...user, lastLoginAt: ctx.now.toISOString() };
  const actor = await actorFor(ctx, fresh);
  await inTransaction({ ...ctx, actor }, async (tx) => {
    await insertSession(tx.db, {
      id: sha256(sessionToken),
      userId: user.id,
      csrfToken,
      createdAt: tx.now.toISOString(),
      expiresAt: new Date(tx.now.getTime() + input.sessionTtlMs).toISOString(),
      ip: tx.ip ?? null,
      userAgent: input.userAgent?.slice(0, 300) ?? null,
    });
    await updateUserRow(tx.db, fresh);
    await recordAudit(tx, 'login.succeeded', { type: 'user', id: user.id });
  });
  return { sessionToken, auth: { actor, user: fresh, csrfToken, scopes: null } };
}

export async function logout(ctx: Ctx, sessionToken: string): Promise<void> {
  await deleteSession(ctx.db, sha256(sessionToken));
}

export async function authenticateSession(ctx: Ctx, sessionToken: string): Promise<Authenticated | null> {
  const session = await findSession(ctx.db, sha256(sessionToken));
  if (!session) return null;
  if (session.expiresAt <= ctx.now.toISOString()) {
    await deleteSession(ctx.db, session.id);
    return null;
  }
  const user = await findUserById(ctx.db, session.userId);
  if (!user || !user.active) return null;
  return { actor: await actorFor(ctx, user), user, csrfToken: session.csrfToken, scopes: null };
}

export async function authenticateToken(ctx: Ctx, token: string): Promise<Authenticated | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const row = await findApiTokenByHash(ctx.db, sha256(token));
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= ctx.now.toISOString())) return null;
  const user = await findUserById(ctx.db, row.userId);
  if (!user || !user.active) return null;
  // Last-used is informative; writing it at most once a minute keeps token requests read-only.
  if (!row.lastUsedAt || ctx.now.getTime() - Date.parse(row.lastUsedAt) > 60_000) await touchApiToken(ctx.db, row.id, ctx.now);
  const actor = await actorFor(ctx, user);
  // Routes marked admin-scope refuse such a token up front; this carries the same limit into every service's admin check.
  if (actor.type === 'user' && actor.role === 'admin' && !row.scopes.includes('admin')) actor.withoutAdminScope = true;
  return { actor, user, csrfToken: null, scopes: row.scopes };
}

export function csrfMatches(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function changeOwnPassword(
  ctx: Ctx,
  input: { currentPassword: string; newPassword: string; keepSessionToken: string | null },
): Promise<void> {
  if (ctx.actor.type === 'system') throw new AppError('bad_request', 'No user to change the password of');
  const user = await findUserById(ctx.db, ctx.actor.id);
  if (!user) throw notFound('User');
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    // Audited as a failed login is: a run of these is someone guessing with a session they hold.
    await inTransaction(ctx, (tx) => recordAudit(tx, 'user.password_change_failed', { type: 'user', id: user.id }));
    throw new AppError('invalid_credentials', 'The current password is incorrect');
  }
  const passwordHash = await hashPassword(input.newPassword);
  await inTransaction(ctx, async (tx) => {
    await updateUserRow(tx.db, { ...user, passwordHash, updatedAt: tx.now.toISOString() });
    await deleteUserSessions(tx.db, user.id, input.keepSessionToken ? sha256(input.keepSessionToken) : undefined);
    await recordAudit(tx, 'user.password_changed', { type: 'user', id: user.id });
  });
}

// Personal API tokens

export async function createApiToken(
  ctx: Ctx,
  input: z.output<typeof createTokenRequest> & { userId?: string },
): Promise<ApiToken & { token: string }> {
  if (ctx.actor.type === 'customer') throw new AppError('forbidden', 'Customers cannot create API tokens');
  const userId = input.userId ?? (ctx.actor.type === 'user' ? ctx.actor.id : undefined);
  if (!userId) throw new AppError('bad_request', 'A user is required');
  const user = await findUserById(ctx.db, userId);
  if (!user) throw notFound('User');
  const token = `${TOKEN_PREFIX}${randomToken(30)}`;
  // Asking for more than the holder may have is refused, not silently trimmed to a token that cannot do what was asked.
  if (input.scopes.includes('admin') && (user.role !== 'admin' || (ctx.actor.type === 'user' && ctx.actor.withoutAdminScope))) {
    throw forbidden(user.role === 'admin' ? 'A token without the "admin" scope cannot make one with it' : 'Only administrators may hold tokens with the "admin" scope');
  }
  if (input.expiresAt && Date.parse(input.expiresAt) <= ctx.now.getTime()) throw invalidField('expiresAt', 'must be in the future');
  const scopes = input.scopes;
  const record: ApiToken = {
    id: uuidv7(ctx.now.getTime()),
    userId,
    name: input.name,
    prefix: token.slice(0, 10),
    scopes,
    createdAt: ctx.now.toISOString(),
    lastUsedAt: null,
    expiresAt: input.expiresAt ? new Date(input.expiresAt).toISOString() : null,
    revokedAt: null,
  };
  await inTransaction(ctx, async (tx) => {
    await insertApiToken(tx.db, { ...record, tokenHash: sha256(token) });
    await recordAudit(tx, 'token.created', { type: 'user', id: userId }, { tokenId: record.id, name: record.name, scopes });
  });
  return { ...record, token };
}

export async function listOwnApiTokens(ctx: Ctx): Promise<ApiToken[]> {
  if (ctx.actor.type !== 'user') return [];
  return listApiTokens(ctx.db, ctx.actor.id);
}

export async function revokeOwnApiToken(ctx: Ctx, id: string): Promise<void> {
  if (ctx.actor.type !== 'user') throw notFound('Token');
  const userId = ctx.actor.id;
  await inTransaction(ctx, async (tx) => {
    if (!(await revokeApiToken(tx.db, userId, id, tx.now))) throw notFound('Token');
    await recordAudit(tx, 'token.revoked', { type: 'user', id: userId }, { tokenId: id });
  });
}

export async function findUserForCli(ctx: Ctx, email: string): Promise<User | undefined> {
  return findUserByEmail(ctx.db, email);
}
