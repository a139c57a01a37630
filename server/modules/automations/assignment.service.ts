import type { z } from 'zod';
import type { groupStrategyRequest } from '../../../contracts/automations.js';
import type { Ctx } from '../../platform/context.js';
import { lockNamed } from '../../platform/db/dialect/sql.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { invalidField, notFound } from '../../platform/errors.js';
import { recordAudit } from '../../platform/audit/audit.repository.js';
import { findUsersByIds, listGroups, requireAdmin, requireStaff } from '../auth/index.js';
import { getContactsByIds, getOrganizationsByIds } from '../contacts/index.js';
import { countTickets, parseFilter, predicatesFor, type Ticket } from '../tickets/index.js';
import { chooseAssignee, requiredSkillsOf, type Candidate } from './assignment.js';
import { findGroupStrategy, saveGroupStrategy, setRoundRobinCursor, type GroupStrategy } from './automations.repository.js';

/** Groups without a configured strategy spread work evenly. */
const DEFAULT_STRATEGY = 'least_loaded';

/** Open tickets per agent (open, in progress, waiting), counted through the filter language. */
async function loads(ctx: Ctx, userIds: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const id of userIds) out.set(id, await countTickets(ctx.db, await predicatesFor(ctx, parseFilter(`is:open assignee:${id}`))));
  return out;
}

async function isVip(ctx: Ctx, ticket: Ticket): Promise<boolean> {
  const [contact] = await getContactsByIds(ctx, [ticket.requesterId]);
  if (contact?.vip) return true;
  const orgId = contact?.organizationId ?? ticket.organizationId;
  return orgId ? ((await getOrganizationsByIds(ctx, [orgId]))[0]?.vip ?? false) : false;
}

/**
 * The agent the ticket's group strategy picks, or null (no group, manual strategy, nobody
 * available under their max load): the ticket then stays unassigned in the group's queue.
 */
export async function assignByStrategy(ctx: Ctx, ticket: Ticket): Promise<string | null> {
  if (!ticket.groupId) return null;
  const [group] = await listGroups(ctx.db, [ticket.groupId]);
  if (!group) return null;
  const s = (await findGroupStrategy(ctx.db, group.id)) ?? { groupId: group.id, strategy: DEFAULT_STRATEGY, seniorAgentIds: [], lastUserId: null };
  if (s.strategy === 'manual') return null;
  // Loads are counted, then one of them grows: two tickets picked side by side would both see an
  // agent under their max load and both go to them. One assignment at a time (an agent's load
  // spans their groups, so the lock is not per group); the next counts what this one committed.
  await lockNamed(ctx.db, 'ticket-assignment');
  const users = (await findUsersByIds(ctx.db, group.memberIds)).filter((u) => u.role !== 'customer');
  const load = await loads(ctx, users.map((u) => u.id));
  const candidates: Candidate[] = users.map((u) => ({ id: u.id, available: u.available, active: u.active, skills: u.skills, maxLoad: u.maxLoad, load: load.get(u.id) ?? 0 }));
  const chosen = chooseAssignee({
    strategy: s.strategy,
    candidates,
    requiredSkills: requiredSkillsOf(ticket.tags),
    vip: s.strategy === 'vip' ? await isVip(ctx, ticket) : false,
    seniorAgentIds: s.seniorAgentIds,
    lastUserId: s.lastUserId,
  });
  if (chosen && s.strategy === 'round_robin') await setRoundRobinCursor(ctx.db, group.id, chosen, ctx.now.toISOString());
  return chosen;
}

export async function getGroupStrategy(ctx: Ctx, groupId: string): Promise<GroupStrategy> {
  requireStaff(ctx.actor);
  if ((await listGroups(ctx.db, [groupId])).length === 0) throw notFound('Group');
  return (await findGroupStrategy(ctx.db, groupId)) ?? { groupId, strategy: DEFAULT_STRATEGY, seniorAgentIds: [], lastUserId: null };
}

export async function setGroupStrategy(ctx: Ctx, groupId: string, input: z.output<typeof groupStrategyRequest>): Promise<GroupStrategy> {
  requireAdmin(ctx.actor);
  return inTransaction(ctx, async (tx) => {
    const [group] = await listGroups(tx.db, [groupId]);
    if (!group) throw notFound('Group');
    const seniors = await findUsersByIds(tx.db, input.seniorAgentIds);
    for (const [i, id] of input.seniorAgentIds.entries()) {
      if (!seniors.some((u) => u.id === id && u.role !== 'customer')) throw invalidField(`seniorAgentIds.${i}`, 'is not an agent');
      if (!group.memberIds.includes(id)) throw invalidField(`seniorAgentIds.${i}`, 'is not a member of the group');
    }
    const before = await findGroupStrategy(tx.db, groupId);
    const s: GroupStrategy = { groupId, strategy: input.strategy, seniorAgentIds: input.seniorAgentIds, lastUserId: before?.lastUserId ?? null };
    await saveGroupStrategy(tx.db, s, tx.now.toISOString());
    await recordAudit(tx, 'automations.group_strategy_set', { type: 'group', id: groupId }, { strategy: s.strategy, seniorAgentIds: s.seniorAgentIds });
    return s;
  });
}
