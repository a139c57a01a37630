import { timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors.js';
import { systemActor } from '../context.js';
import { makeCtx } from './request-context.js';
import type { AppDeps, AppInstance, Authenticator } from './types.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Resolves the caller (session cookie or Bearer token) for every API request, then enforces:
 * sign-in unless the route is public, CSRF for cookie-authenticated writes, token scopes.
 */
export function installAuthHook(app: AppInstance, deps: AppDeps, authenticate: Authenticator): void {
  app.decorateRequest('auth', null);
  // Before validation, so an anonymous caller learns nothing about a route's schema.
  app.addHook('preValidation', async (request) => {
    // The interactive docs (registered by @fastify/swagger-ui) are public like the OpenAPI document.
    if (!request.url.startsWith('/api/') || request.url.startsWith('/api/docs')) return;
    const ctx = makeCtx(deps, systemActor('auth'), request.id, request.ip);
    request.auth = await authenticate({ headers: request.headers, cookies: request.cookies }, ctx);
    const mode = request.routeOptions.config.auth ?? 'user';
    if (mode === 'public') return;
    const auth = request.auth;
    if (!auth) throw new AppError('unauthenticated', 'Sign in or send an API token');
    const unsafe = !SAFE_METHODS.has(request.method);
    if (auth.csrfToken && unsafe) {
      const given = Buffer.from(String(request.headers['x-csrf-token'] ?? ''));
      const expected = Buffer.from(auth.csrfToken);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new AppError('csrf_failed', 'Missing or wrong X-CSRF-Token header');
    }
    if (auth.scopes) {
      const need = mode === 'admin-scope' ? 'admin' : unsafe ? 'write' : 'read';
      if (!auth.scopes.includes(need) && !(need === 'read' && auth.scopes.includes('write'))) {
        throw new AppError('forbidden', `This API token lacks the "${need}" scope`);
      }
    }
  });
}
