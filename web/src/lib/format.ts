import { currentLocale, t } from './i18n.js';

const cache = new Map<string, Intl.DateTimeFormat>();
function fmt(opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = currentLocale() + JSON.stringify(opts);
  let f = cache.get(key);
  if (!f) cache.set(key, (f = new Intl.DateTimeFormat(currentLocale(), opts)));
  return f;
}

/** "5 min ago", "3 h ago", then a date: what a list needs at a glance. */
export function relativeTime(iso: string, now = Date.now()): string {
  const diff = now - new Date(iso).getTime();
  const min = Math.round(diff / 60_000);
  if (min < 1) return t('time.justNow');
  if (min < 60) return t('time.minutesAgo', { n: min });
  const h = Math.round(min / 60);
  if (h < 24) return t('time.hoursAgo', { n: h });
  const d = Math.round(h / 24);
  if (d < 7) return t('time.daysAgo', { n: d });
  return fmt({ day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(iso));
}

export function dateTime(iso: string): string {
  return fmt({ dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
