/**
 * The one condition language (DESIGN.md 8), in two stages:
 * - `FilterAst` is what the parser and the UI's filter builder produce: names as typed, with
 *   the character offset of every term and value so later stages can point at mistakes.
 * - `ResolvedFilter` is the same filter with names turned into ids and relative wording turned
 *   into plain predicates; the SQL compiler and the in-memory evaluator both read only this.
 * Both are plain JSON.
 */

/** `=` is accepted as a synonym of `:` and normalised to it by the parser. */
export type FilterOp = ':' | '>' | '>=' | '<' | '<=';
export type Ordering = '>' | '>=' | '<' | '<=';

export type FieldName =
  | 'status'
  | 'priority'
  | 'type'
  | 'channel'
  | 'assignee'
  | 'group'
  | 'requester'
  | 'organization'
  | 'tag'
  | 'created'
  | 'updated'
  | 'resolved'
  | 'closed'
  | 'is'
  | 'has'
  | 'number'
  | 'subject'
  | 'reopens'
  | 'messages'
  | 'sla'
  | 'due';

export type FilterKeyword = 'me' | 'none' | 'mine';

export type FilterValue =
  /** Names, handles, tags, enum members (lower-cased), custom-field input (as typed). */
  | { kind: 'text'; value: string; quoted: boolean; position: number }
  /** Unquoted `me`, `none`, `mine` where the field gives them a meaning; quoted they are names. */
  | { kind: 'keyword'; value: FilterKeyword; position: number }
  | { kind: 'number'; value: number; position: number }
  /** `7d`: an age, i.e. a span counted back from "now" when the filter runs. */
  | { kind: 'age'; ms: number; text: string; position: number }
  /** An absolute instant; `dateOnly` when written as YYYY-MM-DD (that day's 00:00Z). */
  | { kind: 'instant'; iso: string; dateOnly: boolean; position: number };

export interface FieldTerm {
  kind: 'field';
  field: FieldName;
  op: FilterOp;
  values: FilterValue[];
  negated: boolean;
  position: number;
}

export interface CustomFieldTerm {
  kind: 'custom';
  /** Lower-cased key after `cf.`; checked against the configured fields by the resolver. */
  key: string;
  op: FilterOp;
  values: Extract<FilterValue, { kind: 'text' }>[];
  negated: boolean;
  position: number;
}

/** A bare word or a quoted phrase: full-text search over subject, messages and contact. */
export interface TextTerm {
  kind: 'text';
  text: string;
  phrase: boolean;
  negated: boolean;
  position: number;
}

export type FilterTerm = FieldTerm | CustomFieldTerm | TextTerm;

/** Terms are ANDed; values inside one term are ORed. */
export interface FilterAst {
  terms: FilterTerm[];
}

export type CustomFieldType = 'text' | 'number' | 'dropdown' | 'multi_select' | 'checkbox' | 'date';

export type EnumColumn = 'status' | 'priority' | 'type' | 'channel';
export type RefColumn = 'assigneeId' | 'groupId' | 'requesterId' | 'organizationId';
export type TimeColumn = 'createdAt' | 'updatedAt' | 'resolvedAt' | 'closedAt' | 'slaDueAt';
export type CountColumn = 'number' | 'reopenCount' | 'messageCount';

/**
 * A fixed instant, an age that becomes `now - ageMs` when the filter runs, or a span ahead
 * (`due<2h`) that becomes `now + aheadMs`.
 */
export type TimeBound = { iso: string } | { ageMs: number } | { aheadMs: number };

/** Every predicate is two-valued on both engines (NULL never leaks), so negation is plain NOT. */
export type Predicate =
  | { kind: 'oneOf'; column: EnumColumn | RefColumn; values: string[]; orNull: boolean }
  /** `rare`: the tags are on few tickets, so SQL drives from the tag index (an access-path hint; the meaning is the same). */
  | { kind: 'tag'; tags: string[]; rare?: boolean }
  | { kind: 'starred'; userId: string }
  | { kind: 'spam' }
  /** SLA state denormalised on the ticket: its next target was breached / its clock is paused. */
  | { kind: 'slaBreached' }
  | { kind: 'slaPaused' }
  /** status is open, in_progress or waiting (the indexed is_open column) */
  | { kind: 'open' }
  | { kind: 'merged' }
  | { kind: 'attachments' }
  | { kind: 'time'; column: TimeColumn; op: Ordering | '='; at: TimeBound }
  | { kind: 'count'; column: CountColumn; op: Ordering | '='; values: number[] }
  | { kind: 'subject'; needle: string }
  /** `query` goes to `fullTextQuery`; `words` (lower-cased) drive the in-memory match. */
  | { kind: 'text'; query: string; words: string[]; phrase: boolean }
  /** `fold`: compared ignoring case, `values` given in lower case (text and dropdown fields). */
  | { kind: 'customText'; key: string; values: string[]; fold?: boolean }
  | { kind: 'customNumber'; key: string; op: Ordering | '='; value: number }
  | { kind: 'customDate'; key: string; op: Ordering | '='; value: string }
  /** A multi-select holds `value` (given in lower case) whatever the case it was stored in. */
  | { kind: 'customHas'; key: string; value: string }
  | { kind: 'customChecked'; key: string; value: boolean }
  /** The field has no value: absent, null, blank or an empty selection. */
  | { kind: 'customEmpty'; key: string }
  | { kind: 'any'; of: Predicate[] }
  | { kind: 'all'; of: Predicate[] };

export interface ResolvedTerm {
  negated: boolean;
  predicate: Predicate;
}

export interface ResolvedFilter {
  terms: ResolvedTerm[];
  /** Whether the filter names `is:spam` / `is:merged`; if not, such tickets are hidden. */
  mentions: { spam: boolean; merged: boolean };
}

/** The words a text term searches for, split exactly as `fullTextQuery` and the index split them. */
export { searchWords } from '../../../platform/search/search-words.js';

/** `now - age`, or the fixed instant, as the ISO string both engines compare correctly. */
export const boundIso = (at: TimeBound, now: Date): string =>
  'iso' in at ? at.iso : 'aheadMs' in at ? new Date(now.getTime() + at.aheadMs).toISOString() : new Date(now.getTime() - at.ageMs).toISOString();
