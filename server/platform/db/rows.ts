/** Row mapping shared by repositories, so both dialects yield identical domain objects. */

export const toBool = (v: unknown): boolean => v === true || v === 1 || v === '1' || v === 't';

/** JSON columns arrive as text on both engines (see dialect/postgres.ts). */
export function toJson<T>(v: unknown, fallback: T): T {
  if (v === null || v === undefined) return fallback;
  if (typeof v !== 'string') return v as T;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
}

export const jsonParam = (v: unknown): string => JSON.stringify(v);

/** Timestamps travel as ISO-8601 UTC strings with milliseconds; text order is time order. */
export function toIso(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  // Stored as written (SQLite keeps the text): already in the one form, no need to parse it.
  if (typeof v === 'string' && CANONICAL.test(v)) return v;
  return new Date(String(v)).toISOString();
}

const CANONICAL = /^\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d:[0-5]\d\.\d{3}Z$/;

export const toIsoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : toIso(v));
