import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { filterTicketIds, findTicketPage, parseFilter, predicatesFor, requireTicketById, type TicketPredicate } from '../tickets/index.js';
import { agentReplied, endEpisodes, episodePage, listRuleRows, startEpisode, unchangedSinceEpisode, withoutOpenEpisode, type Rule } from './automations.repository.js';
import { runActions } from './rule-actions.js';
import { conditionsHold } from './rule-conditions.js';
import { loadTicketFacts, prepareCalendars } from './rule-facts.js';

export interface SweepResult {
  rules: number;
  matched: number;
  acted: number;
  episodesEnded: number;
}

const BATCH = 500;
// Episode checks read only ids by primary key: larger pages mean fewer round trips.
const EPISODE_BATCH = 2000;

/** Whether the rule has conditions that need more than the ticket row (its messages, contact, mail thread, a calendar). */
const needsFacts = (r: Rule): boolean => {
  const c = r.conditions;
  return !!(c.mailboxIds || c.keywords || c.emailDomains || c.vip !== undefined || c.businessHours);
};

/**
 * Ends the episodes of tickets the rule's filter no longer selects, so the rule may act again
 * when the condition starts over. Keyset pages of episodes, one indexed lookup per page. A ticket
 * that only stopped matching through the rule's own action (a reminder note makes `updated>3d`
 * false) has not started over: its episode stays until something else changes it, or a
 * "remind after 3 days" rule would remind every 3 days for ever.
 */
async function endStaleEpisodes(ctx: Ctx, rule: Rule, where: TicketPredicate[]): Promise<number> {
  let after: string | null = null;
  let ended = 0;
  for (;;) {
    const ids = await episodePage(ctx.db, rule.id, after, EPISODE_BATCH);
    if (ids.length === 0) return ended;
    const still = await filterTicketIds(ctx.db, where, ids);
    const unmatched = ids.filter((id) => !still.has(id));
    // A deleted ticket is in neither set: its episode ends too.
    const untouched = unmatched.length ? await filterTicketIds(ctx.db, [unchangedSinceEpisode(rule.id)], unmatched) : new Set<string>();
    const gone = unmatched.filter((id) => !untouched.has(id));
    if (gone.length) await inTransaction(ctx, (tx) => endEpisodes(tx.db, rule.id, gone));
    ended += gone.length;
    after = ids[ids.length - 1]!;
  }
}

/** One time rule: select matching tickets through the indexes in keyset pages, act once per episode. */
async function sweepRule(ctx: Ctx, rule: Rule, out: SweepResult): Promise<void> {
  const where = await predicatesFor(ctx, parseFilter(rule.conditions.filter));
  if (rule.conditions.noAgentReply !== undefined) where.push(agentReplied(!rule.conditions.noAgentReply));
  out.episodesEnded += await endStaleEpisodes(ctx, rule, where);
  const fresh = [...where, withoutOpenEpisode(rule.id)];
  let after: { v: string | number; id: string } | undefined;
  for (;;) {
    const page = await findTicketPage(ctx.db, { where: fresh, sort: 'created_asc', after, limit: BATCH });
    if (page.tickets.length === 0) return;
    out.matched += page.tickets.length;
    for (const t of page.tickets) {
      if (t.spam || t.mergedIntoId) continue;
      await inTransaction(ctx, async (tx) => {
        const ticket = await requireTicketById(tx, t.id, { lock: true });
        const loaded = await loadTicketFacts(tx, ticket);
        if (needsFacts(rule)) {
          if (rule.conditions.businessHours) await prepareCalendars(tx, loaded, [rule.conditions.businessHours.calendarId]);
          // The filter (and the agent-reply condition) already held in SQL.
          if (!conditionsHold({ ...rule.conditions, filter: '' }, null, loaded.facts, tx.now)) return;
        }
        // The episode row and the actions commit together: a crash repeats neither or both.
        if (!(await startEpisode(tx.db, rule.id, ticket.id, tx.now.toISOString()))) return;
        await runActions(tx, rule, loaded, `episode:${tx.now.toISOString()}`);
        out.acted += 1;
      });
    }
    after = page.keys[page.keys.length - 1];
  }
}

/**
 * The time-rule sweep (every TESSERA_SWEEP_SECONDS, or at once through the admin API). Each rule
 * acts once per ticket per condition episode: the episode is a row kept until the ticket stops
 * matching, so restarts and repeated sweeps never repeat a reminder.
 */
export async function sweepTimeRules(ctx: Ctx): Promise<SweepResult> {
  const rules = await listRuleRows(ctx.db, { kinds: ['time'], activeOnly: true });
  const out: SweepResult = { rules: rules.length, matched: 0, acted: 0, episodesEnded: 0 };
  for (const rule of rules) {
    try {
      await sweepRule(ctx, rule, out);
    } catch (err) {
      // One broken rule (a group deleted under its filter) must not stop the others.
      if (!(err instanceof Error && 'code' in err)) throw err;
    }
  }
  return out;
}
