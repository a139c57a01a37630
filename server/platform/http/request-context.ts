import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import type { Actor, Ctx } from '../context.js';
import type { AppDeps } from './types.js';

export function makeCtx(deps: Pick<AppDeps, 'database' | 'clock' | 'events'>, actor: Actor, requestId: string, ip?: string): Ctx {
  return { actor, requestId, now: deps.clock.now(), db: deps.database.db, events: deps.events, ip };
}

/** The service context of an authenticated request. */
export function ctxOf(deps: AppDeps, request: FastifyRequest): Ctx {
  if (!request.auth) throw new AppError('unauthenticated', 'Sign in or send an API token');
  return makeCtx(deps, request.auth.actor, request.id, request.ip);
}
