import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import type { ErrorCode } from '../../../contracts/errors.js';
import { isUniqueViolation } from '../db/dialect/errors.js';
import { AppError } from '../errors.js';

interface FieldProblem {
  path: string;
  message: string;
}

function send(reply: FastifyReply, status: number, code: ErrorCode, message: string, details?: unknown) {
  return reply.status(status).send({ error: { code, message, details: details ?? null } });
}


/**
 * Errors Node's HTTP parser raises before Fastify sees a request (headers too large, a request
 * that never finished arriving, bytes that are not HTTP), answered in the same JSON shape.
 */
export function clientErrors(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message]: [number, ErrorCode, string] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'headers_too_large', 'The request line and headers exceed 16 KB']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request_timeout', 'The request did not arrive in full in time']
        : [400, 'bad_request', 'The request is not valid HTTP'];
  const body = JSON.stringify({ error: { code, message, details: null } });
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(err);
}

/**
 * Errors the router raises before any route runs, in the same shape as the rest. A path segment
 * longer than the router allows cannot name anything that exists, so it is a plain 404.
 */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const url = request.url.split('?')[0] ?? '';
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') void send(reply, 404, 'not_found', `Nothing found at ${url.slice(0, 200)}: a path segment is too long`);
  else if (err.code === 'FST_ERR_BAD_URL') void send(reply, 400, 'bad_request', 'The URL is not valid (a malformed %-escape?)');
  else void send(reply, 400, 'bad_request', err.message);
}

/** One JSON error shape for everything: `{ error: { code, message, details } }`. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof AppError) {
      if (err.code === 'rate_limited') reply.header('retry-after', '60');
      return send(reply, err.status, err.code, err.message, err.details);
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = err.validationContext ?? 'body';
      const fields: FieldProblem[] = err.validation.flatMap((v) => {
        const segs = v.instancePath.split('/').filter(Boolean);
        const keys = (v.params as { keys?: string[] } | undefined)?.keys;
        // An unknown-keys issue names every extra key; report each as its own field.
        if (v.keyword === 'unrecognized_keys' && keys?.length) {
          return keys.map((k) => ({ path: [where, ...segs, k].join('.'), message: 'unknown field' }));
        }
        return [{ path: [where, ...segs].join('.'), message: v.message ?? 'invalid' }];
      });
      const summary = fields.map((f) => `${f.path}: ${f.message}`).join('; ');
      return send(reply, 400, 'validation_failed', `Invalid request: ${summary}`, { fields });
    }
    if (isResponseSerializationError(err)) {
      request.log.error({ err, issues: err.cause.issues }, 'response did not match its schema');
      return send(reply, 500, 'internal', `Internal error (request ${request.id})`);
    }
    if (isUniqueViolation(err)) {
      return send(reply, 409, 'conflict', 'Someone made the same thing at the same moment (a name, email, key or number that must be unique is taken); read it again before retrying');
    }
    const status = err.statusCode ?? 500;
    if (status === 413 || err.code === 'FST_REQ_FILE_TOO_LARGE' || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return send(reply, 413, 'payload_too_large', 'The request body or file is larger than allowed');
    }
    if (status === 415 || err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return send(reply, 415, 'unsupported_media_type', err.message);
    }
    if (status === 429) return send(reply, 429, 'rate_limited', 'Too many requests; try again later');
    if (status >= 400 && status < 500) {
      return send(reply, status === 404 ? 404 : 400, status === 404 ? 'not_found' : 'bad_request', err.message);
    }
    request.log.error({ err }, 'unhandled error');
    return send(reply, 500, 'internal', `Internal error (request ${request.id})`);
  });

  app.setNotFoundHandler((request, reply) =>
    send(reply, 404, 'not_found', `No route for ${request.method} ${request.url.split('?')[0]}`),
  );
}
