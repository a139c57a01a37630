import type { FilterField } from '../../lib/types.js';

/**
 * Autocomplete for the filter language, as a pure function of the text and the caret: which
 * word is being typed, and what may go there (a field name, or a value of the field before ":").
 */
export interface Suggestion {
  label: string;
  detail: string;
  /** Replaces text[from, to). */
  insert: string;
}

export interface SuggestResult {
  from: number;
  to: number;
  items: Suggestion[];
}

const OP = /^(-?)([a-z][\w.]*)(>=|<=|:|=|>|<)(.*)$/i;

export function quoteValue(v: string): string {
  return /[\s,"()]/.test(v) || v === '' ? `"${v.replace(/"/g, '')}"` : v;
}

function wordStart(text: string, caret: number): number {
  let inQuote = false;
  let start = 0;
  for (let i = 0; i < caret; i++) {
    const c = text[i];
    if (c === '"') inQuote = !inQuote;
    else if (!inQuote && /\s/.test(c!)) start = i + 1;
  }
  return start;
}

export function suggest(text: string, caret: number, fields: FilterField[], extra: (field: string) => string[] = () => []): SuggestResult {
  const start = wordStart(text, caret);
  const word = text.slice(start, caret);
  const none: SuggestResult = { from: caret, to: caret, items: [] };
  if (word === '' || word === '-') return none;
  const m = OP.exec(word);
  if (!m) {
    const neg = word.startsWith('-') ? 1 : 0;
    const prefix = word.slice(neg).toLowerCase();
    const items = fields
      .filter((f) => f.name.startsWith(prefix) || f.aliases.some((a) => a.startsWith(prefix)))
      .slice(0, 12)
      .map((f) => ({ label: `${f.name}:`, detail: f.description, insert: `${f.name}${f.operators.includes(':') ? ':' : (f.operators[0] ?? ':')}` }));
    // A complete field name needs no suggestion of itself.
    if (items.length === 1 && items[0]!.label === `${prefix}:`) return { from: start + neg, to: caret, items };
    return { from: start + neg, to: caret, items };
  }
  const [, , name, , rest] = m;
  const field = fields.find((f) => f.name === name!.toLowerCase() || f.aliases.includes(name!.toLowerCase()));
  if (!field) return none;
  const lastComma = rest!.lastIndexOf(',');
  const partial = rest!.slice(lastComma + 1).replace(/^"/, '').toLowerCase();
  const from = caret - rest!.length + lastComma + 1;
  const candidates = [...field.keywords, ...field.values, ...extra(field.name)];
  const seen = new Set<string>();
  const items = candidates
    .filter((v) => v.toLowerCase().startsWith(partial) && !seen.has(v) && (seen.add(v), true))
    .filter((v) => v.toLowerCase() !== partial)
    .slice(0, 12)
    .map((v) => ({ label: v, detail: field.keywords.includes(v) ? 'keyword' : field.name, insert: quoteValue(v) }));
  return { from, to: caret, items };
}

export function applySuggestion(text: string, r: SuggestResult, s: Suggestion): { text: string; caret: number } {
  const tail = text.slice(r.to);
  const isValue = !s.insert.endsWith(':') && !/[<>=]$/.test(s.insert);
  const spacer = isValue && !tail.startsWith(' ') ? ' ' : '';
  const next = text.slice(0, r.from) + s.insert + spacer + tail;
  return { text: next, caret: r.from + s.insert.length + spacer.length };
}

/** One row of the visual builder, and the filter-language text it stands for. */
export interface BuilderRow {
  field: string;
  op: string;
  values: string[];
  negated: boolean;
}

export function rowToQuery(row: BuilderRow): string {
  const values = row.values.map((v) => v.trim()).filter(Boolean);
  if (!row.field || values.length === 0) return '';
  if (row.field === 'text') return values.map((v) => (row.negated ? '-' : '') + (/\s/.test(v) ? `"${v.replace(/"/g, '')}"` : v)).join(' ');
  return `${row.negated ? '-' : ''}${row.field}${row.op}${values.map(quoteValue).join(',')}`;
}

export function rowsToQuery(rows: BuilderRow[]): string {
  return rows.map(rowToQuery).filter(Boolean).join(' ');
}
