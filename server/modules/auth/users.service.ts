import type { Ctx } from '../../platform/context.js';
import { recordAudit } from '../../platform/audit/audit.repository.js';
import { emit } from '../../platform/events/emit.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { AppError, conflict, invalidField, notFound } from '../../platform/errors.js';
import { randomToken, uuidv7 } from '../../platform/ids.js';
import type { createGroupRequest, createUserRequest, updateGroupRequest, updateUserRequest } from '../../../contracts/auth.js';
import type { z } from 'zod';
import { requireAdmin, requireStaff } from './auth.policy.js';
import {
  deleteGroupRow,
  findGroupById,
  groupIdsNamedLike,
  groupIdsByUser,
  insertGroup,
  listGroups,
  replaceGroupMembers,
  replaceUserGroups,
  updateGroupRow,
  type Group,
} from './groups.repository.js';
import { hashPassword } from './passwords.js';
import {
  countAdmins,
  countUsers,
  findUserByEmail,
  findUserById,
  findUsersByIds,
  insertUser,
  listUserRows,
  updateUserRow,
  type User,
} from './users.repository.js';
import { deleteUserSessions } from './credentials.repository.js';
import { userReferences } from './user-references.js';

export type UserWithGroups = User & { groupIds: string[] };

async function withGroups(ctx: Ctx, users: User[]): Promise<UserWithGroups[]> {
  const map = await groupIdsByUser(ctx.db, users.map((u) => u.id));
  return users.map((u) => ({ ...u, groupIds: map.get(u.id) ?? [] }));
}

async function assertGroupsExist(ctx: Ctx, groupIds: readonly string[]): Promise<void> {
  const found = await listGroups(ctx.db, groupIds);
  if (found.length !== new Set(groupIds).size) throw invalidField('groupIds', 'contains an unknown group');
}

// Groups are teams of staff: a customer in one would be counted, routed to and listed as an agent.
function assertNoGroupsForCustomer(role: User['role'], groupIds: readonly string[] | undefined): void {
  if (role === 'customer' && groupIds && groupIds.length > 0) throw invalidField('groupIds', 'a customer cannot be a member of groups');
}

async function assertContactExists(ctx: Ctx, contactId: string | null | undefined): Promise<void> {
  if (contactId && !(await userReferences().contactExists(ctx, contactId))) throw invalidField('contactId', 'no such contact');
}

async function assertUsersExist(ctx: Ctx, userIds: readonly string[]): Promise<void> {
  const found = await findUsersByIds(ctx.db, userIds);
  if (found.length !== new Set(userIds).size) throw invalidField('memberIds', 'contains an unknown user');
}

export async function createUser(ctx: Ctx, input: z.output<typeof createUserRequest>): Promise<UserWithGroups> {
  requireAdmin(ctx.actor);
  return inTransaction(ctx, async (tx) => {
    if (await findUserByEmail(tx.db, input.email)) throw conflict('A user with this email already exists', { field: 'email' });
    assertNoGroupsForCustomer(input.role, input.groupIds);
    await assertGroupsExist(tx, input.groupIds);
    await assertContactExists(tx, input.contactId);
    const at = tx.now.toISOString();
    const user: User = {
      id: uuidv7(tx.now.getTime()),
      email: input.email,
      name: input.name,
      role: input.role,
      passwordHash: input.password ? await hashPassword(input.password) : null,
      active: true,
      restrictedToGroups: input.restrictedToGroups,
      skills: input.skills,
      maxLoad: input.maxLoad,
      available: input.available,
      contactId: input.contactId ?? null,
      createdAt: at,
      updatedAt: at,
      lastLoginAt: null,
    };
    await insertUser(tx.db, user);
    await replaceUserGroups(tx.db, user.id, input.groupIds);
    await recordAudit(tx, 'user.created', { type: 'user', id: user.id }, { email: user.email, role: user.role });
    return { ...user, groupIds: [...new Set(input.groupIds)] };
  });
}

export async function updateUser(ctx: Ctx, id: string, input: z.output<typeof updateUserRequest>): Promise<UserWithGroups> {
  const self = ctx.actor.type === 'user' && ctx.actor.id === id;
  const onlyOwnProfile = Object.keys(input).every((k) => k === 'name' || k === 'available');
  if (!(self && onlyOwnProfile)) requireAdmin(ctx.actor);
  return inTransaction(ctx, async (tx) => {
    const user = await findUserById(tx.db, id);
    if (!user) throw notFound('User');
    if (input.email && input.email !== user.email) {
      const other = await findUserByEmail(tx.db, input.email);
      if (other) throw conflict('A user with this email already exists', { field: 'email' });
    }
    const demotesAdmin = user.role === 'admin' && ((input.role && input.role !== 'admin') || input.active === false);
    if (demotesAdmin && (await countAdmins(tx.db)) <= 1) {
      throw new AppError('bad_request', 'The last active administrator cannot be demoted or disabled');
    }
    const role = input.role ?? user.role;
    assertNoGroupsForCustomer(role, input.groupIds);
    // Staff made a customer leave their groups (below); the tickets they work on are not taken
    // from them silently, as a deactivated account keeps its tickets too: the admin reassigns first.
    const becomesCustomer = role === 'customer' && user.role !== 'customer';
    if (becomesCustomer) {
      const open = await userReferences().openTicketsAssignedTo(tx, id);
      if (open > 0) throw conflict(`${user.name} is the assignee of ${open} open ticket${open === 1 ? '' : 's'}; reassign them before making this user a customer`, { field: 'role', openTickets: open });
    }
    const next: User = {
      ...user,
      name: input.name ?? user.name,
      email: input.email ?? user.email,
      role,
      active: input.active ?? user.active,
      restrictedToGroups: input.restrictedToGroups ?? user.restrictedToGroups,
      skills: input.skills ?? user.skills,
      maxLoad: input.maxLoad === undefined ? user.maxLoad : input.maxLoad,
      available: input.available ?? user.available,
      passwordHash: input.password ? await hashPassword(input.password) : user.passwordHash,
      updatedAt: tx.now.toISOString(),
    };
    await updateUserRow(tx.db, next);
    if (input.groupIds) {
      await assertGroupsExist(tx, input.groupIds);
      await replaceUserGroups(tx.db, id, input.groupIds);
    } else if (becomesCustomer) {
      await replaceUserGroups(tx.db, id, []);
    }
    // A disabled account or a reset password ends every open session of that user.
    if (input.active === false || input.password) await deleteUserSessions(tx.db, id);
    if (!self || !onlyOwnProfile) {
      const changed = Object.keys(input).filter((k) => k !== 'password');
      await recordAudit(tx, 'user.updated', { type: 'user', id }, { changed, passwordReset: Boolean(input.password) });
    }
    return (await withGroups(tx, [next]))[0]!;
  });
}

export async function getUser(ctx: Ctx, id: string): Promise<UserWithGroups> {
  requireStaff(ctx.actor);
  const user = await findUserById(ctx.db, id);
  if (!user) throw notFound('User');
  return (await withGroups(ctx, [user]))[0]!;
}

export async function listUsers(ctx: Ctx, opts: { role?: User['role'] | undefined }): Promise<UserWithGroups[]> {
  requireStaff(ctx.actor);
  const users = await listUserRows(ctx.db, { role: opts.role, staffOnly: !opts.role });
  return withGroups(ctx, users);
}

/** Users with their groups, batched (presenters of other modules use this for names). */
export async function getUsersByIds(ctx: Ctx, ids: readonly string[]): Promise<User[]> {
  return findUsersByIds(ctx.db, ids);
}

/**
 * First start: when no user exists, create the first admin from the configured credentials or a
 * generated password, which the caller prints once.
 */
export async function ensureFirstAdmin(
  ctx: Ctx,
  creds: { email: string | undefined; password: string | undefined },
): Promise<{ email: string; password: string | null } | null> {
  return inTransaction(ctx, async (tx) => {
    if ((await countUsers(tx.db)) > 0) return null;
    const email = (creds.email ?? 'admin@example.com').toLowerCase();
    const password = creds.password ?? randomToken(12);
    const at = tx.now.toISOString();
    await insertUser(tx.db, {
      id: uuidv7(tx.now.getTime()),
      email,
      name: 'Administrator',
      role: 'admin',
      passwordHash: await hashPassword(password),
      active: true,
      restrictedToGroups: false,
      skills: [],
      maxLoad: null,
      available: true,
      contactId: null,
      createdAt: at,
      updatedAt: at,
      lastLoginAt: null,
    });
    await recordAudit(tx, 'user.created', null, { email, role: 'admin', firstAdmin: true });
    return { email, password: creds.password ? null : password };
  });
}

// Groups

export async function listAllGroups(ctx: Ctx): Promise<Group[]> {
  requireStaff(ctx.actor);
  return listGroups(ctx.db);
}

export async function getGroup(ctx: Ctx, id: string): Promise<Group> {
  requireStaff(ctx.actor);
  const g = await findGroupById(ctx.db, id);
  if (!g) throw notFound('Group');
  return g;
}

/**
 * Group names are unique in any case: `group:billing` in a filter matches "Billing" too, so a
 * second group differing only in case would be unreachable by name. Checked inside the
 * transaction; the unique name key backs it when two admins race.
 */
async function assertGroupNameFree(tx: Ctx, name: string, exceptId: string | null): Promise<void> {
  const taken = (await groupIdsNamedLike(tx.db, name)).filter((gid) => gid !== exceptId);
  if (taken.length > 0) throw conflict('A group with this name already exists', { field: 'name', groupId: taken[0] });
}

export async function createGroup(ctx: Ctx, input: z.output<typeof createGroupRequest>): Promise<Group> {
  requireAdmin(ctx.actor);
  return inTransaction(ctx, async (tx) => {
    await assertGroupNameFree(tx, input.name, null);
    await assertUsersExist(tx, input.memberIds);
    const at = tx.now.toISOString();
    const group: Group = {
      id: uuidv7(tx.now.getTime()),
      name: input.name,
      description: input.description,
      memberIds: [...new Set(input.memberIds)],
      createdAt: at,
      updatedAt: at,
    };
    await insertGroup(tx.db, group);
    await recordAudit(tx, 'group.created', { type: 'group', id: group.id }, { name: group.name });
    return group;
  });
}

export async function updateGroup(ctx: Ctx, id: string, input: z.output<typeof updateGroupRequest>): Promise<Group> {
  requireAdmin(ctx.actor);
  return inTransaction(ctx, async (tx) => {
    const group = await findGroupById(tx.db, id);
    if (!group) throw notFound('Group');
    const name = input.name ?? group.name;
    const renamed = name !== group.name;
    if (renamed) await assertGroupNameFree(tx, name, id);
    const next = { ...group, name, description: input.description ?? group.description, updatedAt: tx.now.toISOString() };
    await updateGroupRow(tx.db, next, { renamed });
    if (input.memberIds) {
      await assertUsersExist(tx, input.memberIds);
      await replaceGroupMembers(tx.db, id, input.memberIds);
      next.memberIds = [...new Set(input.memberIds)];
    }
    await recordAudit(tx, 'group.updated', { type: 'group', id }, { changed: Object.keys(input) });
    return next;
  });
}

export async function deleteGroup(ctx: Ctx, id: string): Promise<void> {
  requireAdmin(ctx.actor);
  await inTransaction(ctx, async (tx) => {
    const group = await findGroupById(tx.db, id);
    if (!group) throw notFound('Group');
    await deleteGroupRow(tx.db, id);
    await recordAudit(tx, 'group.deleted', { type: 'group', id }, { name: group.name });
    await emit(tx, 'group.deleted', { groupId: id, name: group.name });
  });
}
