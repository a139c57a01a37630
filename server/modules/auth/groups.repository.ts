import type { Kysely } from 'kysely';
import type { AnyDb } from '../../platform/db/database.js';
import { toIso } from '../../platform/db/rows.js';
import { prepared } from '../../platform/db/prepared.js';
import type { AuthTables } from './auth.tables.js';

const q = (db: AnyDb) => db as Kysely<AuthTables>;

export interface Group {
  id: string;
  name: string;
  description: string;
  memberIds: string[];
  createdAt: string;
  updatedAt: string;
}

/** The case-folded name that must be unique; folded in JavaScript, as the filter resolves group names. */
export const groupNameKey = (name: string): string => name.toLowerCase();

export async function insertGroup(db: AnyDb, g: Group): Promise<void> {
  await q(db)
    .insertInto('groups')
    .values({ id: g.id, name: g.name, name_key: groupNameKey(g.name), description: g.description, created_at: g.createdAt, updated_at: g.updatedAt })
    .execute();
  await replaceGroupMembers(db, g.id, g.memberIds);
}

/**
 * Writes the name key only on a rename: a legacy case-only duplicate (key NULL) keeps working
 * under its old name, and gets its key once renamed to a name nobody else holds.
 */
export async function updateGroupRow(db: AnyDb, g: Group, opts: { renamed: boolean }): Promise<void> {
  await q(db)
    .updateTable('groups')
    .set({ name: g.name, ...(opts.renamed ? { name_key: groupNameKey(g.name) } : {}), description: g.description, updated_at: g.updatedAt })
    .where('id', '=', g.id)
    .execute();
}

export async function replaceGroupMembers(db: AnyDb, groupId: string, userIds: readonly string[]): Promise<void> {
  await q(db).deleteFrom('group_members').where('group_id', '=', groupId).execute();
  const unique = [...new Set(userIds)];
  if (unique.length > 0) {
    await q(db).insertInto('group_members').values(unique.map((user_id) => ({ group_id: groupId, user_id }))).execute();
  }
}

export async function replaceUserGroups(db: AnyDb, userId: string, groupIds: readonly string[]): Promise<void> {
  await q(db).deleteFrom('group_members').where('user_id', '=', userId).execute();
  const unique = [...new Set(groupIds)];
  if (unique.length > 0) {
    await q(db).insertInto('group_members').values(unique.map((group_id) => ({ group_id, user_id: userId }))).execute();
  }
}

export async function deleteGroupRow(db: AnyDb, id: string): Promise<void> {
  await q(db).deleteFrom('groups').where('id', '=', id).execute();
}

// One group is looked up for every ticket given a group and every actor's visibility.
const groupById = prepared<{ id: string }, AuthTables['groups']>('groups.by-id', (db, v) => q(db).selectFrom('groups').selectAll().where('id', '=', v.id));
const membersOfGroup = prepared<{ id: string }, { group_id: string; user_id: string }>('group_members.of-group', (db, v) =>
  q(db).selectFrom('group_members').select(['group_id', 'user_id']).where('group_id', '=', v.id),
);
const groupsOfUser = prepared<{ id: string }, { group_id: string; user_id: string }>('group_members.of-user', (db, v) =>
  q(db).selectFrom('group_members').select(['group_id', 'user_id']).where('user_id', '=', v.id),
);

export async function listGroups(db: AnyDb, ids?: readonly string[]): Promise<Group[]> {
  if (ids?.length === 0) return [];
  const one = ids && new Set(ids).size === 1 ? ids[0]! : null;
  const all = q(db).selectFrom('groups').selectAll();
  const rows = one ? await groupById(db, { id: one }) : await (ids ? all.where('id', 'in', [...ids]) : all).orderBy('name').execute();
  if (rows.length === 0) return [];
  const members = one
    ? await membersOfGroup(db, { id: one })
    : await q(db)
        .selectFrom('group_members')
        .select(['group_id', 'user_id'])
        .where('group_id', 'in', rows.map((r) => r.id))
        .execute();
  const byGroup = new Map<string, string[]>();
  for (const m of members) byGroup.set(m.group_id, [...(byGroup.get(m.group_id) ?? []), m.user_id]);
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    description: r.description,
    memberIds: byGroup.get(r.id) ?? [],
    createdAt: toIso(r.created_at),
    updatedAt: toIso(r.updated_at),
  }));
}

/** Whether the group exists, without loading its members (checked for every ticket given a group). */
export async function groupExists(db: AnyDb, id: string): Promise<boolean> {
  return (await groupById(db, { id })).length > 0;
}

export async function findGroupById(db: AnyDb, id: string): Promise<Group | undefined> {
  return (await listGroups(db, [id]))[0];
}

/**
 * Ids of the groups whose name equals `name` in any case. Read from the names rather than the
 * key, which legacy duplicates lack; an installation has tens of groups, not thousands.
 */
export async function groupIdsNamedLike(db: AnyDb, name: string): Promise<string[]> {
  const key = groupNameKey(name);
  const rows = await q(db).selectFrom('groups').select(['id', 'name']).execute();
  return rows.filter((r) => groupNameKey(r.name) === key).map((r) => r.id);
}

/** Group ids per user, loaded in one query for any number of users. */
export async function groupIdsByUser(db: AnyDb, userIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (userIds.length === 0) return out;
  const unique = [...new Set(userIds)];
  const rows = unique.length === 1 ? await groupsOfUser(db, { id: unique[0]! }) : await q(db).selectFrom('group_members').select(['group_id', 'user_id']).where('user_id', 'in', unique).execute();
  for (const r of rows) out.set(r.user_id, [...(out.get(r.user_id) ?? []), r.group_id]);
  return out;
}

/** Lower-cased name or id -> group id, for filter values such as group:billing. */
export async function groupIdsByNames(db: AnyDb, names: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (names.length === 0) return out;
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const rows = await q(db).selectFrom('groups').select(['id', 'name']).execute();
  for (const r of rows) {
    if (wanted.has(r.name.toLowerCase())) out.set(r.name.toLowerCase(), r.id);
    if (wanted.has(r.id)) out.set(r.id, r.id);
  }
  return out;
}
