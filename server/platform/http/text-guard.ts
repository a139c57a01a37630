import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';

const NUL = '\u0000';
// Without the u flag a regular expression sees UTF-16 code units, so it can find a half of a pair standing alone.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Far deeper than any request body of this API; deep enough input would otherwise exhaust the stack of whatever walks it. */
export const MAX_JSON_DEPTH = 64;

export interface TextProblem {
  path: string;
  message: string;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== 'object') return false;
  // Parsed JSON, or a query object (fast-querystring's has a bare prototype of its own); never a
  // Buffer, stream or other class instance, which is not walked.
  const proto = Object.getPrototypeOf(v) as object | null;
  return proto === null || proto === Object.prototype || Object.getPrototypeOf(proto) === null;
};

/**
 * Where in `value` (a parsed JSON value) text cannot be stored alike on both dialects: a NUL, or
 * a lone UTF-16 surrogate (SQLite would keep bytes that are not UTF-8, PostgreSQL a U+FFFD), or
 * nesting deeper than MAX_JSON_DEPTH. At most ten problems, as dotted paths.
 */
export function textProblems(value: unknown, path: string, into: TextProblem[] = [], depth = 0): TextProblem[] {
  if (into.length >= 10) return into;
  if (typeof value === 'string') {
    if (value.includes(NUL)) into.push({ path, message: 'must not contain NUL characters (\\u0000)' });
    else if (LONE_SURROGATE.test(value)) into.push({ path, message: 'must be valid Unicode (it holds a lone surrogate such as \\ud800)' });
  } else if (depth >= MAX_JSON_DEPTH && (Array.isArray(value) || isPlainObject(value))) {
    into.push({ path, message: `is nested more than ${MAX_JSON_DEPTH} levels deep` });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => textProblems(v, `${path}.${i}`, into, depth + 1));
  } else if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) textProblems(v, `${path}.${k}`, into, depth + 1);
  }
  return into;
}

/**
 * Refuses NUL characters, lone surrogates and absurd nesting anywhere in a request's JSON body,
 * query or path. No field of a help desk has a use for them, and without this guard the same
 * request would be stored differently, or be an internal error, on one dialect or the other.
 */
export function installTextGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const found = textProblems(request.params, 'params');
    textProblems(request.query, 'query', found);
    if (!request.isMultipart()) textProblems(request.body, 'body', found);
    if (found.length === 0) return;
    throw new AppError('validation_failed', `Invalid request: ${found.map((f) => `${f.path}: ${f.message}`).join('; ')}`, { fields: found });
  });
}
