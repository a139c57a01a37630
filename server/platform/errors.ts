import { ERROR_CODES, type ErrorCode } from '../../contracts/errors.js';

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.details = details;
  }
}

export const notFound = (what: string): AppError => new AppError('not_found', `${what} not found`);
export const forbidden = (message = 'You may not do this'): AppError => new AppError('forbidden', message);
export const badRequest = (message: string, details?: unknown): AppError =>
  new AppError('bad_request', message, details);
export const conflict = (message: string, details?: unknown): AppError => new AppError('conflict', message, details);

/** A validation error naming one field, shaped like the schema errors of the HTTP layer. */
export const invalidField = (field: string, message: string): AppError =>
  new AppError('validation_failed', `${field}: ${message}`, { fields: [{ path: field, message }] });

/**
 * A check made deep inside (custom fields, a contact) names its field from one item's point of
 * view ("customFields.plan"); in a batch it must also say which item: `tickets.3.customFields.plan`.
 * Without a prefix (a single item, not a batch) the error stands as it is.
 */
export function withinItem(err: unknown, prefix: string | undefined): unknown {
  if (prefix === undefined || !(err instanceof AppError) || err.code !== 'validation_failed') return err;
  const fields = (err.details as { fields?: { path: string; message: string }[] } | null)?.fields;
  if (!fields?.length || fields.some((f) => f.path.startsWith(`${prefix}.`))) return err;
  const named = fields.map((f) => ({ path: `${prefix}.${f.path}`, message: f.message }));
  return new AppError('validation_failed', named.map((f) => `${f.path}: ${f.message}`).join('; '), { fields: named });
}
