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
  ticket_closed: { status: 409, description: 'The ticket is closed, and closed is final: only internal notes, the spam flag and stars still change. Anything further goes on a new ticket (a customer\'s reply opens a linked follow-up by itself); details.numbers names the closed tickets.' },
  payload_too_large: { status: 413, description: 'The upload or body exceeds the configured size limit.' },
  unsupported_media_type: { status: 415, description: 'The request content type is not accepted by this endpoint.' },
  request_timeout: { status: 408, description: 'The request was not received in full in time; send it again.' },
  headers_too_large: { status: 431, description: 'The request line and headers together exceed 16 KB.' },
  rate_limited: { status: 429, description: 'Too many requests; retry after the time given in Retry-After.' },
  signature_invalid: { status: 403, description: 'A signed webhook (SMS provider, phone system) had a missing or wrong signature; nothing was stored.' },
  sign_in_link_invalid: { status: 401, description: 'The portal sign-in link is unknown, already used or expired; request a new one.' },
  target_refused: { status: 422, description: 'The outgoing request target (webhook, issue tracker) is not a public http(s) address, or resolves or redirects to a private, loopback or link-local one, and private targets are not allowed.' },
  csat_link_invalid: { status: 403, description: 'The satisfaction survey link was altered or has expired.' },
  csat_rating_locked: { status: 409, description: 'The ticket was already rated and the time for changing the rating has passed.' },
  chat_unavailable: { status: 409, description: 'Live chat is switched off or no agent is available; leave a message (the offline form) instead.' },
  form_rejected: { status: 400, description: 'The contact form was refused as likely spam (filled too fast, the hidden field filled, or the form expired); reload the form and send it again.' },
  internal: { status: 500, description: 'An unexpected error occurred; it has been logged with the request id.' },
} as const satisfies Record<string, { status: number; description: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const errorCodeSchema = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]);

export const errorResponseSchema = z.object({
  error: z.object({
    code: errorCodeSchema,
    message: z.string(),
    /** Field problems, filter positions or the ids concerned; null when there is nothing more to say. */
    details: z.unknown(),
  }),
});
export type ErrorResponse = z.infer<typeof errorResponseSchema>;
