import { OPEN_STATUSES } from './filter-fields.js';
import { boundIso, searchWords, type Predicate, type ResolvedFilter } from './filter-ast.js';

/** What the in-memory evaluator needs to know about one ticket. Timestamps are ISO strings. */
export interface TicketFacts {
  id: string;
  number: number;
  subject: string;
  status: string;
  priority: string;
  type: string;
  channel: string;
  requesterId: string;
  organizationId: string | null;
  assigneeId: string | null;
  groupId: string | null;
  spam: boolean;
  mergedIntoId: string | null;
  /** Whether any message of the ticket carries an attachment (`has:attachments`). */
  hasAttachments: boolean;
  tags: string[];
  starredBy: string[];
  customFields: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  firstResponseAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  reopenCount: number;
  messageCount: number;
  /**
   * SLA state as the ticket row holds it (null/false: no clock). Required, so every builder of
   * facts passes it: left out, `sla:` and `due` terms never held in rules while views found the tickets.
   */
  slaDueAt: string | null;
  slaBreached: boolean;
  slaPaused: boolean;
  /** Subject, contact and message texts, joined; text terms match words (the last one as a prefix). */
  text?: string;
}

/**
 * Does this ticket match? Mirrors `compileFilter` construct for construct, so a rule evaluated
 * on one ticket agrees with the view that lists it.
 */
export function matchesFilter(f: ResolvedFilter, t: TicketFacts, now: Date): boolean {
  if (!f.mentions.spam && t.spam) return false;
  if (!f.mentions.merged && t.mergedIntoId !== null) return false;
  let words: string[] | undefined;
  const ctx = { t, now, words: () => (words ??= searchWords(t.text ?? '')) };
  return f.terms.every((term) => holds(term.predicate, ctx) !== term.negated);
}

interface Ctx {
  t: TicketFacts;
  now: Date;
  words(): string[];
}

function holds(p: Predicate, ctx: Ctx): boolean {
  const { t } = ctx;
  switch (p.kind) {
    case 'oneOf': {
      const v = t[p.column];
      return v === null ? p.orNull : p.values.includes(v);
    }
    case 'tag':
      return t.tags.some((tag) => p.tags.includes(tag));
    case 'starred':
      return t.starredBy.includes(p.userId);
    case 'open':
      return (OPEN_STATUSES as readonly string[]).includes(t.status);
    case 'spam':
      return t.spam;
    case 'slaBreached':
      return t.slaBreached === true;
    case 'slaPaused':
      return t.slaPaused === true;
    case 'merged':
      return t.mergedIntoId !== null;
    case 'attachments':
      return t.hasAttachments;
    case 'time': {
      const v = t[p.column] ?? null;
      return v !== null && compare(Date.parse(v), p.op, Date.parse(boundIso(p.at, ctx.now)));
    }
    case 'count':
      return p.op === '=' ? p.values.includes(t[p.column]) : compare(t[p.column], p.op, p.values[0]!);
    case 'subject':
      return t.subject.toLowerCase().includes(p.needle.toLowerCase());
    case 'text':
      return containsWords(ctx.words(), p.words, p.phrase);
    case 'customText': {
      const v = customText(t.customFields[p.key]);
      return v !== null && p.values.includes(p.fold ? v.toLowerCase() : v);
    }
    case 'customNumber': {
      const v = t.customFields[p.key];
      return typeof v === 'number' && Number.isFinite(v) && compare(v, p.op, p.value);
    }
    case 'customDate': {
      const v = customText(t.customFields[p.key]);
      return v !== null && compare(v.slice(0, 10), p.op, p.value);
    }
    case 'customEmpty': {
      const v = t.customFields[p.key];
      return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
    }
    case 'customHas': {
      const v = t.customFields[p.key];
      return Array.isArray(v) && v.some((x: unknown) => customText(x)?.toLowerCase() === p.value);
    }
    case 'customChecked': {
      const v = t.customFields[p.key];
      return (v === true || v === 1 || v === 'true' || v === '1') === p.value;
    }
    case 'any':
      return p.of.some((x) => holds(x, ctx));
    case 'all':
      return p.of.every((x) => holds(x, ctx));
  }
}

/** Strings and numbers read as text, as the SQL side's CAST does; anything else is absent. */
const customText = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);

function compare<T extends number | string>(a: T, op: '=' | '>' | '>=' | '<' | '<=', b: T): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
  }
}

/** The full-text engines' rule: the words in a row, the last a prefix unless it is a quoted phrase. */
function containsWords(tokens: string[], words: string[], phrase: boolean): boolean {
  for (let i = 0; i + words.length <= tokens.length; i++) {
    const hit = words.every((w, j) => {
      const tok = tokens[i + j]!;
      return tok === w || (!phrase && j === words.length - 1 && tok.startsWith(w));
    });
    if (hit) return true;
  }
  return false;
}
