import type { Ctx } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import { findLastChangeActor, requireTicketById, type Ticket } from '../tickets/index.js';
import { listRuleRows, type Rule } from './automations.repository.js';
import { runActions } from './rule-actions.js';
import { conditionsHold } from './rule-conditions.js';
import { loadTicketFacts, prepareCalendars, resolveRuleFilter, type LoadedTicket } from './rule-facts.js';

export type RuleEvent = 'ticket.created' | 'ticket.updated' | 'ticket.status_changed' | 'ticket.priority_changed' | 'message.received' | 'sla.warning' | 'sla.breached';

/**
 * Routing rules run when a ticket arrives and when a customer writes to one nobody has taken yet
 * (see routesOnMessage); triggers on the events they name.
 */
const ROUTING_EVENTS = new Set<RuleEvent>(['ticket.created', 'message.received']);
export const ruleRunsOn = (rule: Rule, event: RuleEvent): boolean => (rule.kind === 'routing' ? ROUTING_EVENTS.has(event) : rule.kind === 'trigger' && rule.events.includes(event));

/**
 * A customer's message routes the ticket again only while it is in nobody's hands: once an agent
 * has it, or a person chose its group, routing would undo their triage at every reply.
 */
async function routesOnMessage(ctx: Ctx, ticket: Ticket): Promise<boolean> {
  if (ticket.assigneeId) return false;
  const grouped = await findLastChangeActor(ctx.db, ticket.id, 'group_changed');
  return grouped?.actorType !== 'user';
}

export interface RunResult {
  fired: { ruleId: string; name: string }[];
}

/**
 * Does one rule apply to the ticket now? Filters that no longer resolve (a group or field was
 * deleted) make the rule not apply rather than fail the run.
 */
export async function ruleApplies(ctx: Ctx, rule: Rule, loaded: LoadedTicket): Promise<boolean> {
  const filter = await resolveRuleFilter(ctx, rule.conditions.filter).catch(() => undefined);
  if (filter === undefined) return false;
  if (rule.conditions.businessHours) await prepareCalendars(ctx, loaded, [rule.conditions.businessHours.calendarId]);
  return conditionsHold(rule.conditions, filter, loaded.facts, ctx.now);
}

/**
 * Runs the routing rules, then the triggers, for one event on one ticket, in order, in the
 * caller's transaction. Each rule sees the ticket as the earlier rules left it and fires at most
 * once per run; `stop` ends the run. Changes made here never start another run (the subscribers
 * ignore events whose change a rule made), so rules cannot feed each other in a loop.
 */
export async function runRulesForEvent(ctx: Ctx, input: { ticketId: string; event: RuleEvent; cause: string; messageId?: string | undefined }): Promise<RunResult> {
  const rules = (await listRuleRows(ctx.db, { kinds: ['routing', 'trigger'], activeOnly: true })).filter((r) => ruleRunsOn(r, input.event));
  const fired: RunResult['fired'] = [];
  if (rules.length === 0) return { fired };
  // Routing before triggers; each kind in its own order.
  rules.sort((a, b) => (a.kind === b.kind ? a.position - b.position || a.id.localeCompare(b.id) : a.kind === 'routing' ? -1 : 1));
  // Locked: the actions are changes made from this read, and an agent's change committed in
  // between (closing it, say) must be what the rules see, not what they overwrite.
  let ticket = await requireTicketById(ctx, input.ticketId, { lock: true }).catch((err: unknown) => {
    if (err instanceof AppError && err.code === 'not_found') return null;
    throw err;
  });
  if (!ticket || ticket.mergedIntoId) return { fired };
  let loaded = await loadTicketFacts(ctx, ticket);
  // The message a ticket opens with is part of its creation: routing ran on `ticket.created`.
  if (input.event === 'message.received' && loaded.messages[0]?.id === input.messageId) return { fired };
  const routes = input.event !== 'message.received' || (await routesOnMessage(ctx, ticket));
  for (const rule of rules) {
    if (rule.kind === 'routing' && !routes) continue;
    if (!(await ruleApplies(ctx, rule, loaded))) continue;
    const out = await runActions(ctx, rule, loaded, input.cause);
    fired.push({ ruleId: rule.id, name: rule.name });
    if (out.stop) break;
    ticket = out.ticket;
    loaded = await loadTicketFacts(ctx, ticket);
  }
  return { fired };
}
