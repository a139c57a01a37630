import { sql, type RawBuilder } from 'kysely';
import { dialectOf } from './sql.js';
import type { AnyDb } from './types.js';

/**
 * SQL differences the reports need, kept beside the other dialect helpers: local calendar
 * dates of timestamps, elapsed time between two timestamps, JSON scalars.
 */

/** A UTC-offset stretch: instants before `until` (ISO) are `offsetMinutes` ahead of UTC. */
export interface OffsetStretch {
  until: string | null;
  offsetMinutes: number;
}

/**
 * The local date (YYYY-MM-DD text) of a timestamp column in `timeZone`. PostgreSQL knows the
 * zone rules; SQLite gets the offsets in force over the range (computed by the caller from
 * Intl), one CASE branch per DST period, so both engines put 23:30 local on the same day.
 */
export function localDate(db: AnyDb, column: string, timeZone: string, stretches: readonly OffsetStretch[]): RawBuilder<string> {
  const col = sql.ref(column);
  if (dialectOf(db) === 'postgres') return sql<string>`to_char(timezone(${timeZone}, ${col}), 'YYYY-MM-DD')`;
  const shifted = (m: number) => sql<string>`date(${col}, ${`${m >= 0 ? '+' : ''}${m} minutes`})`;
  if (stretches.length <= 1) return shifted(stretches[0]?.offsetMinutes ?? 0);
  const branches = stretches.map((s) => (s.until === null ? sql`ELSE ${shifted(s.offsetMinutes)}` : sql`WHEN ${col} < ${s.until} THEN ${shifted(s.offsetMinutes)}`));
  return sql<string>`(CASE ${sql.join(branches, sql` `)} END)`;
}

/** Whole minutes from `from` to `to` (both timestamp columns), truncated. */
export function elapsedMinutes(db: AnyDb, from: string, to: string): RawBuilder<number> {
  if (dialectOf(db) === 'postgres') return sql<number>`CAST(floor(extract(epoch from (${sql.ref(to)} - ${sql.ref(from)})) / 60) AS integer)`;
  // julianday() carries float error (60 min reads 59.9999): round to whole seconds first.
  return sql<number>`(CAST(round((julianday(${sql.ref(to)}) - julianday(${sql.ref(from)})) * 86400.0) AS INTEGER) / 60)`;
}

/** Seconds from `from` to `to`, as a floating-point number (for exact averages). */
export function elapsedSeconds(db: AnyDb, from: string, to: string): RawBuilder<number> {
  if (dialectOf(db) === 'postgres') return sql<number>`extract(epoch from (${sql.ref(to)} - ${sql.ref(from)}))::float8`;
  return sql<number>`((julianday(${sql.ref(to)}) - julianday(${sql.ref(from)})) * 86400.0)`;
}

/** A JSON column holding a bare string ("resolved") as text. */
export function jsonScalarText(db: AnyDb, column: string): RawBuilder<string | null> {
  if (dialectOf(db) === 'postgres') return sql<string | null>`(${sql.ref(column)} #>> '{}')`;
  return sql<string | null>`json_extract(${sql.ref(column)}, '$')`;
}

/** Whole days from date `from` to date `to` (both YYYY-MM-DD text expressions). */
export function daysBetweenDates(db: AnyDb, from: RawBuilder<unknown>, to: RawBuilder<unknown>): RawBuilder<number> {
  if (dialectOf(db) === 'postgres') return sql<number>`(CAST(${to} AS date) - CAST(${from} AS date))`;
  return sql<number>`CAST(round(julianday(${to}) - julianday(${from})) AS INTEGER)`;
}
