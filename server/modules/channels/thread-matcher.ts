import { splitPlusAddress, verifyReplyToken } from './reply-token.js';

/**
 * Which ticket an inbound message belongs to. Pure: the caller loads what `threadLookups` asks
 * for and passes it in as `KnownThreads`. Rules, first match wins:
 * 1. our signed reply address `mailbox+<token>@domain` (forged or foreign tokens are ignored);
 * 2. In-Reply-To, then References from the newest, matching a Message-ID we stored;
 * 3. a subject token `[#1042]`, only when the sender already takes part in that ticket; of
 *    several such tokens the last one whose ticket is not closed (else the last one): a
 *    follow-up's mail may still carry the closed ticket's token before its own, and answering
 *    the closed ticket would open yet another follow-up;
 * 4. otherwise a new ticket.
 */
export interface ThreadFacts {
  /** Lower-cased sender address. */
  from: string;
  /** Envelope recipients, To and Cc, lower-cased. */
  recipients: readonly string[];
  inReplyTo: readonly string[];
  references: readonly string[];
  subject: string;
  /** Our mailbox addresses (lower-cased); only tokens on these count. */
  mailboxAddresses: readonly string[];
}

export interface ThreadLookups {
  /** Ticket numbers named by valid reply tokens, in recipient order. */
  tokenNumbers: number[];
  /** Message-IDs to look up, in the order they are tried. */
  messageIds: string[];
  /** Ticket numbers named by subject tokens. */
  subjectNumbers: number[];
}

export interface KnownThreads {
  /** Existing tickets by number (for reply and subject tokens). */
  ticketsByNumber: ReadonlyMap<number, string>;
  /** Ticket id by stored Message-ID. */
  ticketByMessageId: ReadonlyMap<string, string>;
  /** Lower-cased participant addresses by ticket id (requester included). */
  participants: ReadonlyMap<string, readonly string[]>;
  /** Ticket ids (of those named by subject tokens) that are closed. */
  closedTicketIds?: ReadonlySet<string>;
}

export type ThreadMatch =
  | { by: 'reply_address'; ticketId: string; detail: string }
  | { by: 'message_id'; ticketId: string; detail: string }
  | { by: 'subject_token'; ticketId: string; detail: string }
  | { by: 'none' };

const SUBJECT_TOKEN = /\[#(\d{1,15})\]/g;

function tokenNumbers(facts: ThreadFacts, secret: string): number[] {
  const ours = new Set(facts.mailboxAddresses.map((a) => a.toLowerCase()));
  const out: number[] = [];
  for (const rcpt of facts.recipients) {
    const { base, tag } = splitPlusAddress(rcpt);
    if (!tag || !ours.has(base)) continue;
    const n = verifyReplyToken(secret, tag);
    if (n !== null && !out.includes(n)) out.push(n);
  }
  return out;
}

function orderedMessageIds(facts: ThreadFacts): string[] {
  return [...new Set([...facts.inReplyTo, ...[...facts.references].reverse()])];
}

/**
 * A subject without the `[#N]` tokens of tickets other than `keep` (all of them when it is
 * null); each removed token takes the space before it along.
 */
export function withoutTicketTokens(subject: string, keep: number | null): string {
  return subject.replace(/\s*\[#(\d{1,15})\]/g, (token, n: string) => (Number(n) === keep ? token : '')).trim();
}

function subjectNumbers(subject: string): number[] {
  return [...new Set([...subject.matchAll(SUBJECT_TOKEN)].map((m) => Number(m[1])).filter((n) => Number.isSafeInteger(n) && n > 0))];
}

export function threadLookups(facts: ThreadFacts, secret: string): ThreadLookups {
  return { tokenNumbers: tokenNumbers(facts, secret), messageIds: orderedMessageIds(facts), subjectNumbers: subjectNumbers(facts.subject) };
}

export function matchThread(facts: ThreadFacts, known: KnownThreads, secret: string): ThreadMatch {
  for (const n of tokenNumbers(facts, secret)) {
    const ticketId = known.ticketsByNumber.get(n);
    if (ticketId) return { by: 'reply_address', ticketId, detail: `#${n}` };
  }
  for (const id of orderedMessageIds(facts)) {
    const ticketId = known.ticketByMessageId.get(id);
    if (ticketId) return { by: 'message_id', ticketId, detail: id };
  }
  const from = facts.from.toLowerCase();
  const candidates: { n: number; ticketId: string }[] = [];
  for (const n of subjectNumbers(facts.subject)) {
    const ticketId = known.ticketsByNumber.get(n);
    if (ticketId && (known.participants.get(ticketId) ?? []).some((p) => p.toLowerCase() === from)) candidates.push({ n, ticketId });
  }
  // Our subjects end with the ticket's own token, so the last one is the newest conversation.
  const newestFirst = candidates.reverse();
  const chosen = newestFirst.find((c) => !known.closedTicketIds?.has(c.ticketId)) ?? newestFirst[0];
  return chosen ? { by: 'subject_token', ticketId: chosen.ticketId, detail: `#${chosen.n}` } : { by: 'none' };
}
