import { sql, type Kysely, type SqlBool } from 'kysely';
import type { RuleAction, RuleConditions, TriggerEvent } from '../../../contracts/automations.js';
import type { AnyDb } from '../../platform/db/database.js';
import type { TicketPredicate } from '../tickets/index.js';
import { jsonParam, toBool, toIso, toJson } from '../../platform/db/rows.js';

interface AutomationTables {
  automation_rules: {
    id: string;
    name: string;
    kind: string;
    events: unknown;
    position: number;
    active: number;
    conditions: unknown;
    actions: unknown;
    created_at: string;
    updated_at: string;
  };
  automation_group_strategies: { group_id: string; strategy: string; senior_agent_ids: unknown; last_user_id: string | null; updated_at: string };
  automation_episodes: { rule_id: string; ticket_id: string; started_at: string };
}
const q = (db: AnyDb) => db as Kysely<AutomationTables>;

export type RuleKind = 'routing' | 'trigger' | 'time';
export type Strategy = 'manual' | 'round_robin' | 'least_loaded' | 'skill_based' | 'vip';

export interface Rule {
  id: string;
  name: string;
  kind: RuleKind;
  events: TriggerEvent[];
  position: number;
  active: boolean;
  conditions: RuleConditions;
  actions: RuleAction[];
  createdAt: string;
  updatedAt: string;
}

export interface GroupStrategy {
  groupId: string;
  strategy: Strategy;
  seniorAgentIds: string[];
  lastUserId: string | null;
}

const toRule = (r: AutomationTables['automation_rules']): Rule => ({
  id: r.id,
  name: r.name,
  kind: r.kind as RuleKind,
  events: toJson<TriggerEvent[]>(r.events, []),
  position: Number(r.position),
  active: toBool(r.active),
  conditions: toJson<RuleConditions>(r.conditions, { filter: '' }),
  actions: toJson<RuleAction[]>(r.actions, []),
  createdAt: toIso(r.created_at),
  updatedAt: toIso(r.updated_at),
});

const ruleRow = (r: Rule) => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  events: jsonParam(r.events),
  position: r.position,
  active: r.active ? 1 : 0,
  conditions: jsonParam(r.conditions),
  actions: jsonParam(r.actions),
  created_at: r.createdAt,
  updated_at: r.updatedAt,
});

/** Rules of some kinds in their order (kind first, so routing precedes triggers in one run). */
export async function listRuleRows(db: AnyDb, opts: { kinds?: readonly RuleKind[]; activeOnly?: boolean } = {}): Promise<Rule[]> {
  let sel = q(db).selectFrom('automation_rules').selectAll();
  if (opts.kinds) sel = sel.where('kind', 'in', [...opts.kinds]);
  if (opts.activeOnly) sel = sel.where('active', '=', 1);
  const rows = await sel.orderBy('kind').orderBy('position').orderBy('id').execute();
  return rows.map(toRule);
}

export async function findRuleById(db: AnyDb, id: string): Promise<Rule | undefined> {
  const r = await q(db).selectFrom('automation_rules').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toRule(r) : undefined;
}

export async function insertRule(db: AnyDb, r: Rule): Promise<void> {
  await q(db).insertInto('automation_rules').values(ruleRow(r)).execute();
}

export async function updateRuleRow(db: AnyDb, r: Rule): Promise<void> {
  const { id, created_at: _created, ...rest } = ruleRow(r);
  await q(db).updateTable('automation_rules').set(rest).where('id', '=', id).execute();
}

/** Renumbers one kind's rules 0..n-1 in the given order. */
export async function setPositions(db: AnyDb, ids: readonly string[]): Promise<void> {
  for (const [i, id] of ids.entries()) await q(db).updateTable('automation_rules').set({ position: i }).where('id', '=', id).execute();
}

export async function deleteRuleRow(db: AnyDb, id: string): Promise<void> {
  await q(db).deleteFrom('automation_episodes').where('rule_id', '=', id).execute();
  await q(db).deleteFrom('automation_rules').where('id', '=', id).execute();
}

export async function findGroupStrategy(db: AnyDb, groupId: string): Promise<GroupStrategy | undefined> {
  const r = await q(db).selectFrom('automation_group_strategies').selectAll().where('group_id', '=', groupId).executeTakeFirst();
  return r ? { groupId: r.group_id, strategy: r.strategy as Strategy, seniorAgentIds: toJson<string[]>(r.senior_agent_ids, []), lastUserId: r.last_user_id } : undefined;
}

export async function saveGroupStrategy(db: AnyDb, s: GroupStrategy, at: string): Promise<void> {
  const values = { group_id: s.groupId, strategy: s.strategy, senior_agent_ids: jsonParam(s.seniorAgentIds), last_user_id: s.lastUserId, updated_at: at };
  await q(db)
    .insertInto('automation_group_strategies')
    .values(values)
    .onConflict((oc) => oc.column('group_id').doUpdateSet({ strategy: values.strategy, senior_agent_ids: values.senior_agent_ids, last_user_id: values.last_user_id, updated_at: at }))
    .execute();
}

export async function setRoundRobinCursor(db: AnyDb, groupId: string, userId: string, at: string): Promise<void> {
  await q(db).updateTable('automation_group_strategies').set({ last_user_id: userId, updated_at: at }).where('group_id', '=', groupId).execute();
}

/** Starts an episode; false when one is already open (the rule already acted in it). */
export async function startEpisode(db: AnyDb, ruleId: string, ticketId: string, at: string): Promise<boolean> {
  const res = await q(db)
    .insertInto('automation_episodes')
    .values({ rule_id: ruleId, ticket_id: ticketId, started_at: at })
    .onConflict((oc) => oc.columns(['rule_id', 'ticket_id']).doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** One keyset page of a rule's open episodes (ticket ids in order). */
export async function episodePage(db: AnyDb, ruleId: string, afterTicketId: string | null, limit: number): Promise<string[]> {
  let sel = q(db).selectFrom('automation_episodes').select('ticket_id').where('rule_id', '=', ruleId);
  if (afterTicketId) sel = sel.where('ticket_id', '>', afterTicketId);
  return (await sel.orderBy('ticket_id').limit(limit).execute()).map((r) => r.ticket_id);
}

export async function endEpisodes(db: AnyDb, ruleId: string, ticketIds: readonly string[]): Promise<void> {
  if (ticketIds.length === 0) return;
  await q(db).deleteFrom('automation_episodes').where('rule_id', '=', ruleId).where('ticket_id', 'in', [...ticketIds]).execute();
}

/**
 * Sweep predicates added to the tickets query the filter language compiled (see ADR 0007): the
 * anti-join on this module's episode key, so a steady-state sweep reads only tickets that newly
 * match, and "no agent reply yet", which the filter language has no term for.
 */
export const withoutOpenEpisode = (ruleId: string): TicketPredicate => () =>
  sql<SqlBool>`NOT EXISTS (SELECT 1 FROM automation_episodes e WHERE e.rule_id = ${ruleId} AND e.ticket_id = tickets.id)`;
/**
 * No person changed the ticket since the rule's episode began: every change leaves a ticket
 * event, and rules' own carry their actor (times alone cannot tell them apart when an agent acts
 * in the same millisecond). Changes by rules do not count, this one's or another's: two reminder
 * rules would otherwise restart each other's episodes at every sweep.
 */
export const unchangedSinceEpisode = (ruleId: string): TicketPredicate => () =>
  sql<SqlBool>`NOT EXISTS (SELECT 1 FROM automation_episodes e JOIN ticket_events ev ON ev.ticket_id = e.ticket_id AND ev.at >= e.started_at WHERE e.rule_id = ${ruleId} AND e.ticket_id = tickets.id AND NOT (ev.actor_type = 'system' AND ev.actor_id LIKE 'rule:%'))`;
export const agentReplied = (replied: boolean): TicketPredicate => () =>
  replied ? sql<SqlBool>`tickets.first_response_at IS NOT NULL` : sql<SqlBool>`tickets.first_response_at IS NULL`;
