import type { Actor, Ctx } from '../../platform/context.js';
import { onceInTransaction } from '../../platform/db/transaction-memo.js';
import { findUsersByIds, groupIdsByUser, listActiveStaffForMentions } from '../auth/index.js';

export type StaffActor = Extract<Actor, { type: 'user' }>;

/**
 * Active staff users (admins, supervisors, agents) by lower-cased address. Their addresses are
 * not customers': mail from them is not a customer message, and they are never copied on mail
 * to the customer (they read the ticket in Tessera). Read once per transaction: a batch of mail
 * jobs or notifications asks for every message.
 */
export function activeStaffByAddress(ctx: Ctx): Promise<ReadonlyMap<string, { id: string; email: string; name: string }>> {
  return onceInTransaction(ctx.db, 'channels:active-staff', async () => new Map((await listActiveStaffForMentions(ctx.db)).map((u) => [u.email.toLowerCase(), u])));
}

/** The active staff user who owns this address, as the actor their note is written by; null for anyone else. */
export async function staffActorOf(ctx: Ctx, address: string): Promise<StaffActor | null> {
  const known = (await activeStaffByAddress(ctx)).get(address.toLowerCase());
  if (!known) return null;
  const [user] = await findUsersByIds(ctx.db, [known.id]);
  if (!user || !user.active || user.role === 'customer') return null;
  const groups = await groupIdsByUser(ctx.db, [user.id]);
  return { type: 'user', id: user.id, role: user.role, name: user.name, email: user.email, groupIds: groups.get(user.id) ?? [], restricted: user.restrictedToGroups };
}
