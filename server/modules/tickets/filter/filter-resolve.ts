import { TICKET_PRIORITIES } from '../../../../contracts/tickets.js';
import {
  searchWords,
  type CustomFieldTerm,
  type CustomFieldType,
  type FieldTerm,
  type FilterAst,
  type FilterValue,
  type Ordering,
  type Predicate,
  type RefColumn,
  type ResolvedFilter,
  type ResolvedTerm,
  type TimeColumn,
} from './filter-ast.js';
import { CUSTOM_FIELD_OPS } from './filter-fields.js';
import { filterError, parseInstant } from './filter-parser.js';

/** What resolution needs from the rest of the app, injected so this folder imports no module. */
export interface FilterResolvers {
  actorUserId: string | null;
  actorGroupIds: string[];
  /** handle = email or id (lower-cased) -> user id */
  userIdsByHandle(handles: string[]): Promise<Map<string, string>>;
  /** lower-cased name or id -> group id */
  groupIdsByName(names: string[]): Promise<Map<string, string>>;
  /** lower-cased email -> contact id */
  contactIdsByEmail(emails: string[]): Promise<Map<string, string>>;
  /** lower-cased name or id -> organization id */
  organizationIdsByName(names: string[]): Promise<Map<string, string>>;
  customFields: { key: string; type: CustomFieldType; options: string[] }[];
  /** Whether these tags together are on few tickets (picks the SQL access path); unknown: treated as common. */
  tagsAreRare?(tags: string[]): Promise<boolean>;
}

type Lookup = 'user' | 'group' | 'contact' | 'organization';
const LOOKUP_OF: Partial<Record<FieldTerm['field'], Lookup>> = {
  assignee: 'user',
  group: 'group',
  requester: 'contact',
  organization: 'organization',
};
const REF_COLUMN: Record<Lookup, RefColumn> = {
  user: 'assigneeId',
  group: 'groupId',
  contact: 'requesterId',
  organization: 'organizationId',
};
const UNKNOWN_LABEL: Record<Lookup, string> = { user: 'user', group: 'group', contact: 'requester', organization: 'organization' };
const TIME_COLUMN: Record<string, TimeColumn> = { created: 'createdAt', updated: 'updatedAt', resolved: 'resolvedAt', closed: 'closedAt', due: 'slaDueAt' };
const COUNT_COLUMN = { number: 'number', reopens: 'reopenCount', messages: 'messageCount' } as const;
// An age turns the comparison around: "created>7d" (older than 7 days) is "createdAt < now-7d".
const AGE_FLIP: Record<Ordering, Ordering> = { '>': '<', '>=': '<=', '<': '>', '<=': '>=' };
const DAY_MS = 86_400_000;

type Names = Record<Lookup, Map<string, string>>;

/** Turns names into ids and wording into predicates; unknown names fail with their position. */
export async function resolveFilter(ast: FilterAst, r: FilterResolvers): Promise<ResolvedFilter> {
  const names = await lookUpNames(ast, r);
  const terms: ResolvedTerm[] = [];
  const mentions = { spam: false, merged: false };
  for (const term of ast.terms) {
    if (term.kind === 'field' && term.field === 'is') {
      for (const v of term.values) {
        if (v.kind === 'text' && v.value === 'spam') mentions.spam = true;
        if (v.kind === 'text' && v.value === 'merged') mentions.merged = true;
      }
    }
    const predicate =
      term.kind === 'text' ? textPredicate(term.text, term.phrase) : term.kind === 'custom' ? customPredicate(term, r) : fieldPredicate(term, r, names);
    if (predicate?.kind === 'tag' && r.tagsAreRare) predicate.rare = await r.tagsAreRare(predicate.tags);
    if (predicate) terms.push({ negated: term.negated, predicate });
  }
  return { terms, mentions };
}

async function lookUpNames(ast: FilterAst, r: FilterResolvers): Promise<Names> {
  const wanted: Record<Lookup, Set<string>> = { user: new Set(), group: new Set(), contact: new Set(), organization: new Set() };
  for (const term of ast.terms) {
    const lookup = term.kind === 'field' ? LOOKUP_OF[term.field] : undefined;
    if (!lookup || term.kind !== 'field') continue;
    for (const v of term.values) if (v.kind === 'text') wanted[lookup].add(v.value.toLowerCase());
  }
  const run = async (set: Set<string>, fn: (names: string[]) => Promise<Map<string, string>>) =>
    set.size === 0 ? new Map<string, string>() : fn([...set]);
  const [user, group, contact, organization] = await Promise.all([
    run(wanted.user, (n) => r.userIdsByHandle(n)),
    run(wanted.group, (n) => r.groupIdsByName(n)),
    run(wanted.contact, (n) => r.contactIdsByEmail(n)),
    run(wanted.organization, (n) => r.organizationIdsByName(n)),
  ]);
  return { user, group, contact, organization };
}

const anyOf = (of: Predicate[]): Predicate => (of.length === 1 ? of[0]! : { kind: 'any', of });

function textPredicate(text: string, phrase: boolean): Predicate | null {
  const words = searchWords(text);
  if (words.length === 0) return null;
  // A phrase matches exactly; a bare word (even "e-mail") matches its words in a row, the last as a prefix.
  return { kind: 'text', query: phrase ? `"${words.join(' ')}"` : words.join('-'), words, phrase };
}

function fieldPredicate(term: FieldTerm, r: FilterResolvers, names: Names): Predicate {
  const lookup = LOOKUP_OF[term.field];
  if (lookup) return refPredicate(term, lookup, r, names);
  switch (term.field) {
    case 'status':
    case 'type':
    case 'channel':
      return { kind: 'oneOf', column: term.field, values: texts(term), orNull: false };
    case 'priority': {
      if (term.op === ':') return { kind: 'oneOf', column: 'priority', values: texts(term), orNull: false };
      const rank = (p: string) => TICKET_PRIORITIES.indexOf(p as (typeof TICKET_PRIORITIES)[number]);
      const pivot = rank(texts(term)[0]!);
      const keep = (x: number) => (term.op === '>' ? x > pivot : term.op === '>=' ? x >= pivot : term.op === '<' ? x < pivot : x <= pivot);
      return { kind: 'oneOf', column: 'priority', values: TICKET_PRIORITIES.filter((p) => keep(rank(p))), orNull: false };
    }
    case 'tag':
      return { kind: 'tag', tags: texts(term) };
    case 'created':
    case 'updated':
    case 'resolved':
    case 'closed':
      return anyOf(term.values.map((v) => timePredicate(TIME_COLUMN[term.field]!, term.op, v)));
    case 'is':
      return anyOf(term.values.map((v) => isPredicate(textOf(v), v.position, r)));
    case 'has':
      return { kind: 'attachments' };
    case 'number':
    case 'reopens':
    case 'messages': {
      const values = term.values.map((v) => (v.kind === 'number' ? v.value : badValue(v)));
      return { kind: 'count', column: COUNT_COLUMN[term.field], op: term.op === ':' ? '=' : term.op, values };
    }
    case 'subject':
      return anyOf(texts(term).map((needle) => ({ kind: 'subject', needle })));
    case 'due':
      return anyOf(term.values.map((v) => dueTimePredicate(term.op, v)));
    case 'sla':
      return anyOf(texts(term).map(slaPredicate));
    default:
      throw filterError(`Unsupported field "${term.field}"`, term.position);
  }
}

function refPredicate(term: FieldTerm, lookup: Lookup, r: FilterResolvers, names: Names): Predicate {
  const ids: string[] = [];
  let orNull = false;
  for (const v of term.values) {
    if (v.kind === 'keyword' && v.value === 'none') orNull = true;
    else if (v.kind === 'keyword' && v.value === 'me') {
      if (!r.actorUserId) throw filterError('"me" needs a signed-in user', v.position);
      ids.push(r.actorUserId);
    } else if (v.kind === 'keyword' && v.value === 'mine') ids.push(...r.actorGroupIds);
    else if (v.kind === 'text') {
      const id = names[lookup].get(v.value.toLowerCase());
      if (!id) throw filterError(`Unknown ${UNKNOWN_LABEL[lookup]} "${v.value}"`, v.position, { found: v.value });
      ids.push(id);
    } else badValue(v);
  }
  return { kind: 'oneOf', column: REF_COLUMN[lookup], values: [...new Set(ids)], orNull };
}

function timePredicate(column: TimeColumn, op: FieldTerm['op'], v: FilterValue): Predicate {
  if (v.kind === 'age') {
    if (op === ':') throw filterError('A relative time needs ">" or "<"', v.position);
    return { kind: 'time', column, op: AGE_FLIP[op], at: { ageMs: v.ms } };
  }
  if (v.kind !== 'instant') return badValue(v);
  if (!v.dateOnly) return { kind: 'time', column, op: op === ':' ? '=' : op, at: { iso: v.iso } };
  // A bare date means the whole UTC day: `<=D` and `>D` are about its end, `<D` and `>=D` its start.
  const end = new Date(Date.parse(v.iso) + DAY_MS).toISOString();
  if (op === '<' || op === '>=') return { kind: 'time', column, op, at: { iso: v.iso } };
  if (op === '<=') return { kind: 'time', column, op: '<', at: { iso: end } };
  if (op === '>') return { kind: 'time', column, op: '>=', at: { iso: end } };
  return {
    kind: 'all',
    of: [
      { kind: 'time', column, op: '>=', at: { iso: v.iso } },
      { kind: 'time', column, op: '<', at: { iso: end } },
    ],
  };
}

/** Due times lie ahead: `due<2h` is "due before now + 2h", no flip as for ages. */
function dueTimePredicate(op: FieldTerm['op'], v: FilterValue): Predicate {
  if (v.kind !== 'age') return timePredicate('slaDueAt', op, v);
  if (op === ':') throw filterError('A relative time needs ">" or "<"', v.position);
  return { kind: 'time', column: 'slaDueAt', op, at: { aheadMs: v.ms } };
}

function slaPredicate(value: string): Predicate {
  switch (value) {
    case 'breached':
      return { kind: 'slaBreached' };
    case 'paused':
      return { kind: 'slaPaused' };
    case 'active':
      return { kind: 'time', column: 'slaDueAt', op: '>=', at: { iso: '1970-01-01T00:00:00.000Z' } };
    default:
      return { kind: 'time', column: 'slaDueAt', op: '<=', at: { aheadMs: 0 } };
  }
}

function isPredicate(value: string, position: number, r: FilterResolvers): Predicate {
  switch (value) {
    case 'starred':
      if (!r.actorUserId) throw filterError('"is:starred" needs a signed-in user', position);
      return { kind: 'starred', userId: r.actorUserId };
    case 'spam':
      return { kind: 'spam' };
    case 'merged':
      return { kind: 'merged' };
    case 'unassigned':
      return { kind: 'oneOf', column: 'assigneeId', values: [], orNull: true };
    case 'open':
      return { kind: 'open' };
    default:
      throw filterError(`Unknown value for "is:" "${value}"`, position);
  }
}

function customPredicate(term: CustomFieldTerm, r: FilterResolvers): Predicate {
  const namePos = term.position + (term.negated ? 1 : 0);
  const def = r.customFields.find((f) => f.key.toLowerCase() === term.key);
  if (!def) {
    throw filterError(`Unknown custom field "cf.${term.key}"`, namePos, {
      expected: r.customFields.map((f) => `cf.${f.key}`),
      found: `cf.${term.key}`,
    });
  }
  const key = def.key;
  if (!CUSTOM_FIELD_OPS[def.type].includes(term.op)) {
    throw filterError(`Operator "${term.op}" cannot be used with cf.${key} (${def.type})`, namePos + 3 + key.length, {
      expected: CUSTOM_FIELD_OPS[def.type],
      found: term.op,
    });
  }
  const op = term.op === ':' ? '=' : term.op;
  // Unquoted `none` is "no value" for every type ("none" in quotes is the text itself).
  const isNone = (v: { value: string; quoted: boolean }) => !v.quoted && v.value.toLowerCase() === 'none';
  if (term.values.some(isNone)) {
    if (term.op !== ':') throw filterError(`"none" takes ":" (cf.${key}:none)`, term.values.find(isNone)!.position, { found: term.op });
    const rest = term.values.filter((v) => !isNone(v));
    const empty: Predicate = { kind: 'customEmpty', key };
    return rest.length === 0 ? empty : anyOf([empty, customPredicate({ ...term, values: rest }, r)]);
  }
  // A choice is matched whatever the case, and need not be among the options today: an admin
  // may remove an option that tickets still hold, and those tickets must stay findable. Which
  // values were ever options is not kept, so a misspelt one finds nothing rather than failing.
  const folded = term.values.map((v) => v.value.toLowerCase());
  switch (def.type) {
    case 'text':
    case 'dropdown':
      return { kind: 'customText', key, values: folded, fold: true };
    case 'multi_select':
      return anyOf(folded.map((value) => ({ kind: 'customHas', key, value })));
    case 'checkbox':
      return anyOf(term.values.map((v) => ({ kind: 'customChecked', key, value: checkboxValue(v.value, v.position) })));
    case 'number':
      return anyOf(term.values.map((v) => {
        if (!/^-?\d+(\.\d+)?$/.test(v.value)) throw filterError(`Expected a number for cf.${key}`, v.position, { found: v.value });
        return { kind: 'customNumber', key, op, value: Number(v.value) };
      }));
    case 'date':
      return anyOf(term.values.map((v) => {
        if (v.value.length !== 10 || !parseInstant(v.value)) throw filterError(`Expected a date like 2026-01-01 for cf.${key}`, v.position, { found: v.value });
        return { kind: 'customDate', key, op, value: v.value };
      }));
  }
}

function checkboxValue(text: string, position: number): boolean {
  const v = text.toLowerCase();
  if (['true', 'yes', '1'].includes(v)) return true;
  if (['false', 'no', '0'].includes(v)) return false;
  throw filterError(`Expected true or false`, position, { expected: ['true', 'false'], found: text });
}

const textOf = (v: FilterValue): string => (v.kind === 'text' ? v.value : badValue(v));
const texts = (term: FieldTerm): string[] => term.values.map(textOf);

function badValue(v: FilterValue): never {
  throw filterError(`Unexpected ${v.kind} value`, v.position);
}
