import type { Kysely } from 'kysely';
import type { AnyDb } from '../../platform/db/database.js';
import { jsonParam, toBool, toIso, toIsoOrNull, toJson } from '../../platform/db/rows.js';
import type { UserRole } from '../../platform/context.js';
import { prepared } from '../../platform/db/prepared.js';
import type { AuthTables } from './auth.tables.js';

const q = (db: AnyDb) => db as Kysely<AuthTables>;

export interface User {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  passwordHash: string | null;
  active: boolean;
  restrictedToGroups: boolean;
  skills: string[];
  maxLoad: number | null;
  available: boolean;
  contactId: string | null;
  createdAt: string;
  updatedAt: string;
  lastLoginAt: string | null;
}

type Row = AuthTables['users'];

function toUser(r: Row): User {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role as UserRole,
    passwordHash: r.password_hash,
    active: toBool(r.active),
    restrictedToGroups: toBool(r.restricted_to_groups),
    skills: toJson<string[]>(r.skills, []),
    maxLoad: r.max_load === null ? null : Number(r.max_load),
    available: toBool(r.available),
    contactId: r.contact_id,
    createdAt: toIso(r.created_at),
    updatedAt: toIso(r.updated_at),
    lastLoginAt: toIsoOrNull(r.last_login_at),
  };
}

export async function insertUser(db: AnyDb, u: User): Promise<void> {
  await q(db)
    .insertInto('users')
    .values({
      id: u.id,
      email: u.email,
      name: u.name,
      role: u.role,
      password_hash: u.passwordHash,
      active: u.active ? 1 : 0,
      restricted_to_groups: u.restrictedToGroups ? 1 : 0,
      skills: jsonParam(u.skills),
      max_load: u.maxLoad,
      available: u.available ? 1 : 0,
      contact_id: u.contactId,
      created_at: u.createdAt,
      updated_at: u.updatedAt,
      last_login_at: u.lastLoginAt,
    })
    .execute();
}

export async function updateUserRow(db: AnyDb, u: User): Promise<void> {
  await q(db)
    .updateTable('users')
    .set({
      email: u.email,
      name: u.name,
      role: u.role,
      password_hash: u.passwordHash,
      active: u.active ? 1 : 0,
      restricted_to_groups: u.restrictedToGroups ? 1 : 0,
      skills: jsonParam(u.skills),
      max_load: u.maxLoad,
      available: u.available ? 1 : 0,
      updated_at: u.updatedAt,
      last_login_at: u.lastLoginAt,
    })
    .where('id', '=', u.id)
    .execute();
}

export async function findUserById(db: AnyDb, id: string): Promise<User | undefined> {
  const r = await q(db).selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toUser(r) : undefined;
}

export async function findUserByEmail(db: AnyDb, email: string): Promise<User | undefined> {
  const r = await q(db).selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
  return r ? toUser(r) : undefined;
}

// Every request and most changes look up one user (the actor, an assignee).
const userById = prepared<{ id: string }, AuthTables['users']>('users.by-id', (db, v) => q(db).selectFrom('users').selectAll().where('id', '=', v.id));

export async function findUsersByIds(db: AnyDb, ids: readonly string[]): Promise<User[]> {
  if (ids.length === 0) return [];
  const unique = [...new Set(ids)];
  const rows = unique.length === 1 ? await userById(db, { id: unique[0]! }) : await q(db).selectFrom('users').selectAll().where('id', 'in', unique).execute();
  return rows.map(toUser);
}

export async function listUserRows(db: AnyDb, opts: { role?: UserRole | undefined; staffOnly?: boolean }): Promise<User[]> {
  let sel = q(db).selectFrom('users').selectAll();
  if (opts.role) sel = sel.where('role', '=', opts.role);
  else if (opts.staffOnly) sel = sel.where('role', '!=', 'customer');
  const rows = await sel.orderBy('name').orderBy('id').execute();
  return rows.map(toUser);
}

export async function countAdmins(db: AnyDb): Promise<number> {
  const r = await q(db)
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role', '=', 'admin')
    .where('active', '=', 1)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

export async function countUsers(db: AnyDb): Promise<number> {
  const r = await q(db).selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** Finds staff users by a lower-cased handle (the part before @, or the name without spaces) for @mentions. */
export async function listActiveStaffForMentions(db: AnyDb): Promise<Pick<User, 'id' | 'email' | 'name'>[]> {
  return q(db)
    .selectFrom('users')
    .select(['id', 'email', 'name'])
    .where('role', '!=', 'customer')
    .where('active', '=', 1)
    .execute();
}

/** Lower-cased email or id -> user id, for filter values such as assignee:alice@acme.test. */
export async function userIdsByHandles(db: AnyDb, handles: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (handles.length === 0) return out;
  const list = [...new Set(handles.map((h) => h.toLowerCase()))];
  const rows = await q(db).selectFrom('users').select(['id', 'email']).where((eb) => eb.or([eb('email', 'in', list), eb('id', 'in', list)])).execute();
  for (const r of rows) {
    if (list.includes(r.email)) out.set(r.email, r.id);
    if (list.includes(r.id)) out.set(r.id, r.id);
  }
  return out;
}
