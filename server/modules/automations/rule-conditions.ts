import type { RuleConditions } from '../../../contracts/automations.js';
import { matchesFilter, type ResolvedFilter, type TicketFacts } from '../tickets/index.js';

/** What a rule's conditions read about one ticket: the filter language's facts plus routing's. */
export interface RuleFacts {
  ticket: TicketFacts;
  /** The mailbox the ticket's mail came in through, if any. */
  mailboxId: string | null;
  requesterEmails: string[];
  /** The requester or their organization is VIP. */
  vip: boolean;
  /** Subject and the newest customer message, for keyword conditions. */
  keywordText: string;
  /** Whether `now` is inside the calendar's business hours (null: unknown calendar). */
  withinHours(calendarId: string): boolean | null;
}

const words = (text: string): string[] => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];

/** A keyword or phrase matches whole words in order ("refund" does not match "refunded"). */
export function hasKeyword(text: string, keywords: readonly string[]): boolean {
  const tokens = words(text);
  return keywords.some((k) => {
    const want = words(k);
    if (want.length === 0) return false;
    for (let i = 0; i + want.length <= tokens.length; i++) if (want.every((w, j) => tokens[i + j] === w)) return true;
    return false;
  });
}

/** `bigcustomer.com` matches `a@bigcustomer.com` and `a@eu.bigcustomer.com`, not `a@notbigcustomer.com`. */
export function emailAtDomain(emailAddress: string, domains: readonly string[]): boolean {
  const host = emailAddress.toLowerCase().split('@')[1] ?? '';
  return domains.some((d) => {
    const dom = d.replace(/^@/, '').toLowerCase();
    return host === dom || host.endsWith(`.${dom}`);
  });
}

/**
 * Do the rule's conditions hold for this ticket now? Pure: the filter was resolved beforehand
 * (names to ids) and is evaluated in memory by the filter language's own evaluator, so a rule
 * agrees with the view that would list the ticket. Every condition given must hold.
 */
export function conditionsHold(c: RuleConditions, filter: ResolvedFilter | null, f: RuleFacts, now: Date): boolean {
  if (filter && !matchesFilter(filter, f.ticket, now)) return false;
  if (c.mailboxIds && (!f.mailboxId || !c.mailboxIds.includes(f.mailboxId))) return false;
  if (c.keywords && !hasKeyword(f.keywordText, c.keywords)) return false;
  if (c.emailDomains && !f.requesterEmails.some((e) => emailAtDomain(e, c.emailDomains!))) return false;
  if (c.vip !== undefined && f.vip !== c.vip) return false;
  if (c.noAgentReply !== undefined && (f.ticket.firstResponseAt === null) !== c.noAgentReply) return false;
  if (c.businessHours) {
    const inside = f.withinHours(c.businessHours.calendarId);
    if (inside === null || inside !== c.businessHours.inside) return false;
  }
  return true;
}
