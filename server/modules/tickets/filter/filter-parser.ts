import { AppError } from '../../../platform/errors.js';
import { searchWords, type FilterAst, type FilterOp, type FilterTerm, type FilterValue } from './filter-ast.js';
import { FIELD_NAMES, fieldSpec, type FilterFieldSpec } from './filter-fields.js';

export const MAX_FILTER_LENGTH = 2000;

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
// Far enough for any real question, near enough that `now - age` stays a valid four-digit year.
const MAX_AGE_MS = 100 * 366 * 86_400_000;

const FIELD_RE = /([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]*)?)(>=|<=|=|:|>|<)/y;
const AGE_RE = /^(\d{1,9})([mhdw])$/i;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})?)?$/i;
const NO_PARENTHESES = 'terms are combined with AND, the values of one term (a,b) with OR';

interface RawValue {
  text: string;
  quoted: boolean;
  position: number;
}

export function filterError(what: string, position: number, extra: { expected?: readonly string[]; found?: string } = {}): AppError {
  const tail = extra.expected ? `; expected ${extra.expected.length === 1 ? '' : 'one of '}${extra.expected.join(', ')}` : '';
  return new AppError('filter_syntax', `${what} at position ${position}${tail}`, {
    position,
    ...(extra.expected ? { expected: [...extra.expected] } : {}),
    ...(extra.found !== undefined ? { found: extra.found } : {}),
  });
}

/**
 * Parses the filter language into an AST. Terms are separated by whitespace and ANDed; a
 * leading `-` negates a term; commas inside one value list mean OR. Throws `filter_syntax`
 * with the offset of the first problem.
 */
export function parseFilter(input: string): FilterAst {
  if (input.length > MAX_FILTER_LENGTH) {
    throw filterError(`Filter is longer than ${MAX_FILTER_LENGTH} characters`, MAX_FILTER_LENGTH);
  }
  const sc = new Scanner(input);
  const terms: FilterTerm[] = [];
  for (sc.skipSpace(); !sc.atEnd(); sc.skipSpace()) {
    const term = parseTerm(sc);
    if (term) terms.push(term);
  }
  return { terms };
}

class Scanner {
  pos = 0;
  /** "(" read in unquoted text and not yet closed. */
  openParens = 0;
  constructor(readonly s: string) {}
  peek(): string | undefined {
    return this.s[this.pos];
  }
  atEnd(): boolean {
    return this.pos >= this.s.length;
  }
  /** End of input or whitespace: where a term may end. */
  atBoundary(): boolean {
    return this.atEnd() || /\s/.test(this.s[this.pos]!);
  }
  skipSpace(): void {
    while (!this.atEnd() && /\s/.test(this.s[this.pos]!)) this.pos++;
  }
  readWhile(re: RegExp): string {
    const start = this.pos;
    while (!this.atEnd() && re.test(this.s[this.pos]!)) this.pos++;
    return this.s.slice(start, this.pos);
  }
  expectBoundary(after: string): void {
    if (!this.atBoundary()) throw filterError(`Expected a space after ${after}`, this.pos, { found: this.peek()! });
  }
  /** Reads `"..."` with `\"` and `\\` escapes; the scanner stands on the opening quote. */
  readQuoted(): string {
    const start = this.pos++;
    let out = '';
    while (!this.atEnd()) {
      const c = this.s[this.pos]!;
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === '\\' && this.pos + 1 < this.s.length) {
        out += this.s[this.pos + 1];
        this.pos += 2;
      } else {
        out += c;
        this.pos++;
      }
    }
    throw filterError('Unterminated quote', start, { expected: ['"'] });
  }
  /**
   * Reads unquoted text: a bare word, or one value of a field (which also ends at a comma). A
   * quote only opens a phrase or a value, so one inside the text is refused where it stands:
   * read as a letter, `a"b c"` would quietly search for two words instead of the phrase meant.
   * A ")" must close a "(" earlier in unquoted text (as in "(printer jam)"); one that closes
   * nothing is a group that was never opened, so `status:open )` is refused as `(status:open` is.
   */
  readUnquoted(what: 'word' | 'value'): string {
    const start = this.pos;
    const stop = what === 'word' ? /[\s"]/ : /[\s,"]/;
    while (!this.atEnd() && !stop.test(this.s[this.pos]!)) {
      const c = this.s[this.pos]!;
      if (c === '(') this.openParens++;
      if (c === ')') {
        if (this.openParens === 0) {
          throw filterError(`Unmatched ")" (parentheses are not supported: ${NO_PARENTHESES}; quote a ")" to search for it)`, this.pos, { found: ')' });
        }
        this.openParens--;
      }
      this.pos++;
    }
    if (this.peek() === '"') {
      const example = what === 'word' ? '"a b"' : 'subject:"a b"';
      throw filterError(`Unexpected quote inside a ${what} (quotes go around a whole ${what}, as in ${example}, with \\" for a quote within)`, this.pos, { found: '"' });
    }
    return this.s.slice(start, this.pos);
  }
}

/** One term, or null for text with nothing searchable in it (punctuation only). */
function parseTerm(sc: Scanner): FilterTerm | null {
  const position = sc.pos;
  const negated = sc.peek() === '-';
  if (negated) {
    sc.pos++;
    if (sc.atBoundary()) throw filterError('Expected a term after "-"', sc.pos);
  }
  if (sc.peek() === '"') {
    const text = sc.readQuoted();
    sc.expectBoundary('the closing quote');
    return searchWords(text).length > 0 ? { kind: 'text', text, phrase: true, negated, position } : null;
  }
  if (sc.peek() === '#') {
    sc.pos++;
    const at = sc.pos;
    const digits = sc.readWhile(/\d/);
    if (!digits || !sc.atBoundary()) throw filterError('Expected a ticket number after "#"', at, { found: sc.s.slice(at).split(/\s/)[0]! });
    return { kind: 'field', field: 'number', op: ':', values: [wholeNumber(digits, at, 'number')], negated, position };
  }
  FIELD_RE.lastIndex = sc.pos;
  const m = FIELD_RE.exec(sc.s);
  if (m) return parseFieldTerm(sc, m[1]!, m[2]!, negated, position);
  const at = sc.pos;
  const word = sc.readUnquoted('word');
  notBoolean(sc.s, word, at);
  return searchWords(word).length > 0 ? { kind: 'text', text: word, phrase: false, negated, position } : null;
}

const BOOLEAN_HINT: Record<string, string> = {
  OR: 'terms are always combined with AND; list alternatives with commas, as in status:open,waiting',
  AND: 'terms are always combined with AND; leave it out',
  NOT: 'put "-" before a term to negate it, as in -tag:spam',
};

/**
 * The language has no OR, AND, NOT or parentheses. Read as words, they would search the text for
 * "or" or "status open" and quietly find nothing, so a filter written that way is refused where
 * it goes wrong (quoted, they are still searched for).
 */
function notBoolean(input: string, word: string, at: number): void {
  const hint = BOOLEAN_HINT[word];
  if (hint) throw filterError(`"${word}" is not an operator here: ${hint}`, at, { found: word });
  FIELD_RE.lastIndex = at + 1;
  if (word.startsWith('(') && FIELD_RE.exec(input)) {
    throw filterError(`Parentheses are not supported: ${NO_PARENTHESES}`, at, { found: '(' });
  }
}

function parseFieldTerm(sc: Scanner, name: string, rawOp: string, negated: boolean, position: number): FilterTerm {
  const namePos = sc.pos;
  const opPos = namePos + name.length;
  sc.pos = opPos + rawOp.length;
  const op: FilterOp = rawOp === '=' ? ':' : (rawOp as FilterOp);
  const lower = name.toLowerCase();
  if (lower.startsWith('cf.')) {
    const key = lower.slice(3);
    if (!key) throw filterError('Expected a custom field key after "cf."', namePos + 3);
    const values = parseRawValues(sc, name + rawOp, op).map((r) => ({ kind: 'text' as const, value: r.text, quoted: r.quoted, position: r.position }));
    return { kind: 'custom', key, op, values, negated, position };
  }
  const spec = fieldSpec(lower);
  if (!spec) throw filterError(`Unknown field "${name}"`, namePos, { expected: FIELD_NAMES, found: name });
  if (!spec.ops.includes(op)) {
    throw filterError(`Operator "${rawOp}" cannot be used with ${spec.name}`, opPos, { expected: spec.ops, found: rawOp });
  }
  const values = parseRawValues(sc, name + rawOp, op).map((r) => typedValue(spec, op, r));
  return { kind: 'field', field: spec.name, op, values, negated, position };
}

function parseRawValues(sc: Scanner, label: string, op: FilterOp): RawValue[] {
  const out: RawValue[] = [];
  let after = `"${label}"`;
  for (;;) {
    const position = sc.pos;
    if (sc.atBoundary() || sc.peek() === ',') throw filterError(`Expected a value after ${after}`, position);
    let text: string;
    const quoted = sc.peek() === '"';
    if (quoted) {
      text = sc.readQuoted();
      if (text.trim() === '') throw filterError(`Expected a value inside the quotes after ${after}`, position + 1);
    } else {
      text = sc.readUnquoted('value');
    }
    out.push({ text, quoted, position });
    if (sc.peek() === ',') {
      if (op !== ':') throw filterError(`Only ":" takes a list of values, not "${op}"`, sc.pos, { found: ',' });
      sc.pos++;
      after = '","';
      continue;
    }
    if (!sc.atBoundary()) throw filterError('Expected "," or a space after a value', sc.pos, { expected: [',', 'space'], found: sc.peek()! });
    return out;
  }
}

function typedValue(spec: FilterFieldSpec, op: FilterOp, r: RawValue): FilterValue {
  const { text, quoted, position } = r;
  const lower = text.toLowerCase();
  switch (spec.value) {
    case 'enum': {
      const v = lower.replace(/-/g, '_');
      if (!spec.values!.includes(v)) {
        const what = spec.name === 'is' || spec.name === 'has' ? `value for "${spec.name}:"` : spec.name;
        throw filterError(`Unknown ${what} "${text}"`, position, { expected: spec.values!, found: text });
      }
      return { kind: 'text', value: v, quoted, position };
    }
    case 'user':
    case 'group':
    case 'organization': {
      const keyword = spec.keywords?.find((k) => k === lower);
      if (keyword && !quoted) return { kind: 'keyword', value: keyword, position };
      return { kind: 'text', value: text, quoted, position };
    }
    case 'tag':
      return { kind: 'text', value: lower, quoted, position };
    case 'time':
      return timeValue(spec.name, op, text, position);
    case 'number': {
      if (!/^\d+$/.test(text)) throw filterError(`Expected a whole number for ${spec.name}`, position, { found: text });
      return wholeNumber(text, position, spec.name);
    }
    case 'contact':
    case 'text':
      return { kind: 'text', value: text, quoted, position };
  }
}

function wholeNumber(digits: string, position: number, field: string): FilterValue {
  const value = Number(digits);
  if (!Number.isSafeInteger(value)) throw filterError(`Number too large for ${field}`, position, { found: digits });
  return { kind: 'number', value, position };
}

function timeValue(field: string, op: FilterOp, text: string, position: number): FilterValue {
  const age = AGE_RE.exec(text);
  if (age) {
    if (op === ':') throw filterError(`A relative time needs ">" (older than) or "<" (within), as in ${field}<${text}`, position, { found: text });
    const ms = Number(age[1]) * UNIT_MS[age[2]!.toLowerCase()]!;
    if (ms > MAX_AGE_MS) throw filterError(`Relative time "${text}" is too far back`, position, { found: text });
    return { kind: 'age', ms, text, position };
  }
  const iso = parseInstant(text);
  if (!iso) {
    throw filterError(`Expected a time like 30m, 24h, 7d, 2w or 2026-01-01 for ${field}`, position, { found: text });
  }
  return { kind: 'instant', iso, dateOnly: text.length === 10, position };
}

/** ISO date or date-time (UTC unless an offset is given) to `toISOString()` form, or null. */
export function parseInstant(text: string): string | null {
  const m = DATE_RE.exec(text);
  if (!m) return null;
  const [y, mo, d, h = '0', mi = '0', s = '0'] = m.slice(1, 7) as [string, string, string, string?, string?, string?];
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (day.getUTCMonth() !== Number(mo) - 1 || day.getUTCDate() !== Number(d)) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  const zone = (m[8] ?? 'Z').toUpperCase();
  if (zone !== 'Z' && (Number(zone.slice(1, 3)) > 14 || Number(zone.slice(4)) > 59)) return null;
  const frac = (m[7] ?? '0').padEnd(3, '0');
  const at = new Date(`${y}-${mo}-${d}T${h.padStart(2, '0')}:${mi.padStart(2, '0')}:${s.padStart(2, '0')}.${frac}${zone}`);
  return Number.isNaN(at.getTime()) ? null : at.toISOString();
}
