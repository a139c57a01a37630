import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';

const NUL = '\u0000';

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== 'object') return false;
  // Parsed JSON, or a query object (fast-querystring's has a bare prototype of its own); never a
  // Buffer, stream or other class instance, which is not walked.
  const proto = Object.getPrototypeOf(v) as object | null;
  return proto === null || proto === Object.prototype || Object.getPrototypeOf(proto) === null;
};

/** Where in `value` (a parsed JSON value) a string holds a NUL, as dotted paths; at most ten. */
export function nulPaths(value: unknown, path: string, into: string[] = []): string[] {
  if (into.length >= 10) return into;
  if (typeof value === 'string') {
    if (value.includes(NUL)) into.push(path);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => nulPaths(v, `${path}.${i}`, into));
  } else if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) nulPaths(v, `${path}.${k}`, into);
  }
  return into;
}

/**
 * Refuses NUL characters anywhere in a request's JSON body, query or path. No field of a help
 * desk has a use for them, SQLite cuts text at them in places and PostgreSQL refuses to store
 * them, so without this guard the same request would be truncated on one dialect and an
 * internal error on the other.
 */
export function installNulGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const found = nulPaths(request.params, 'params');
    nulPaths(request.query, 'query', found);
    if (!request.isMultipart()) nulPaths(request.body, 'body', found);
    if (found.length === 0) return;
    const fields = found.map((path) => ({ path, message: 'must not contain NUL characters (\\u0000)' }));
    throw new AppError('validation_failed', `Invalid request: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}`, { fields });
  });
}
