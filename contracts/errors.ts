import { z } from 'zod';

/**
 * Stable error codes: clients branch on `code`, never on `message`.
 * A test fails if a code lacks a description or status.
 */
export const ERROR_CODES = {
  validation_failed: { status: 400, description: 'The request body, query or parameters did not match the schema; details name each field.' },
  filter_syntax: { status: 400, description: 'The filter expression could not be parsed; details give the position and what was expected.' },
  bad_request: { status: 400, description: 'The request is well-formed but cannot be carried out as asked.' },
  unauthenticated: { status: 401, description: 'No valid session cookie or API token was presented.' },
  invalid_credentials: { status: 401, description: 'The email or password is wrong, or the account is disabled.' },
  csrf_failed: { status: 403, description: 'A cookie-authenticated write lacked the matching X-CSRF-Token header.' },
  forbidden: { status: 403, description: 'The actor is authenticated but may not perform this action.' },
  not_found: { status: 404, description: 'The resource does not exist or is not visible to the actor.' },
  conflict: { status: 409, description: 'The change conflicts with the current state (duplicate value, concurrent change).' },
  invalid_transition: { status: 409, description: 'The ticket cannot move from its current status to the requested one.' },
  payload_too_large: { status: 413, description: 'The upload or body exceeds the configured size limit.' },
  unsupported_media_type: { status: 415, description: 'The request content type is not accepted by this endpoint.' },
  rate_limited: { status: 429, description: 'Too many requests; retry after the time given in Retry-After.' },
  internal: { status: 500, description: 'An unexpected error occurred; it has been logged with the request id.' },
} as const satisfies Record<string, { status: number; description: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const errorCodeSchema = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]);

export const errorResponseSchema = z.object({
  error: z.object({
    code: errorCodeSchema,
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorResponse = z.infer<typeof errorResponseSchema>;
