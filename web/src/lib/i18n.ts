import { en } from './en.js';

/**
 * A tiny typed dictionary: every visible string goes through t(), keys are checked by the
 * compiler, `{name}` placeholders are filled from vars. A second language is another object of
 * the same type (Record<MessageKey, string>), chosen by setLocale.
 */
export type MessageKey = keyof typeof en;
type Dict = Record<MessageKey, string>;

let locale = 'en';
let dict: Dict = en;

export function setLocale(next: string, messages: Dict): void {
  locale = next;
  dict = messages;
  document.documentElement.lang = next;
}

export function currentLocale(): string {
  return locale;
}

export function t(key: MessageKey, vars?: Record<string, string | number>): string {
  const s = dict[key] ?? key;
  if (!vars) return s;
  return s.replace(/\{(\w+)\}/g, (_m, k: string) => (k in vars ? String(vars[k]) : `{${k}}`));
}

type PluralBase<K> = K extends `${infer B}_one` ? B : never;

/** Plurals: `x_one` for 1, `x_other` otherwise ({count} is filled in). */
export function tp(base: PluralBase<MessageKey>, count: number, vars: Record<string, string | number> = {}): string {
  const key = (count === 1 ? `${base}_one` : `${base}_other`) as MessageKey;
  return t(key, { count, ...vars });
}
