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
