import { createHash } from 'node:crypto';
import { invalidField } from '../errors.js';

/**
 * Keyset cursors are opaque to clients: base64url JSON of the endpoint's kind, a short hash of
 * what the page walks (sort order, filter, view) and the last row's sort key. Many endpoints
 * page by the same shape of key ({at, id}), and a key only means something in the order it was
 * taken from: without the kind and the scope a cursor from one list, or from the same list
 * sorted another way, would be read as a position in this one and give a wrong page, or reach
 * the database as a value of the wrong type.
 */
interface Envelope {
  k: string;
  s?: string;
  v: unknown;
}

/** 12 base64url characters (72 bits): enough to tell requests apart, short enough for a URL. */
const scopeHash = (scope: unknown): string => createHash('sha256').update(JSON.stringify(scope)).digest('base64url').slice(0, 12);

export function encodeCursor(kind: string, key: unknown, scope?: unknown): string {
  const envelope: Envelope = { k: kind, ...(scope === undefined ? {} : { s: scopeHash(scope) }), v: key };
  return Buffer.from(JSON.stringify(envelope)).toString('base64url');
}

/**
 * The key of a cursor this endpoint returned for the same request, or undefined without one.
 * `scope` must be built the same way as when encoding (same fields, same order).
 */
export function decodeCursor<T>(kind: string, cursor: string | undefined, check: (v: unknown) => v is T, scope?: unknown): T | undefined {
  if (!cursor) return undefined;
  let envelope: unknown;
  try {
    const text = Buffer.from(cursor, 'base64url').toString('utf8');
    // PostgreSQL cannot hold NUL in text, so a key carrying one could only fail there.
    if (!/\\u0000|\0/.test(text)) envelope = JSON.parse(text);
  } catch {
    /* not JSON: refused below */
  }
  if (!isEnvelope(envelope) || envelope.k !== kind || !check(envelope.v)) {
    throw invalidField('cursor', 'is not a cursor returned by this endpoint');
  }
  if (envelope.s !== (scope === undefined ? undefined : scopeHash(scope))) {
    throw invalidField('cursor', 'belongs to another sort order or filter; ask for the first page again without it');
  }
  return envelope.v;
}

const isEnvelope = (v: unknown): v is Envelope =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as Envelope).k === 'string' && ((v as Envelope).s === undefined || typeof (v as Envelope).s === 'string');

/** A timestamp as the store writes it (UTC ISO 8601), so it compares correctly on both dialects. */
export const isStoredTimestamp = (v: unknown): v is string =>
  typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(v) && !Number.isNaN(Date.parse(v));

/** The common keyset key: a stored timestamp and the row id that breaks ties. */
export const isTimeIdKey = (v: unknown): v is { at: string; id: string } =>
  typeof v === 'object' && v !== null && isStoredTimestamp((v as { at?: unknown }).at) && typeof (v as { id?: unknown }).id === 'string';
