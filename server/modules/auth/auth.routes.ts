import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  auditLogQuery,
  auditEntryResponse,
  changePasswordRequest,
  createTokenRequest,
  createdTokenResponse,
  loginRequest,
  loginResponse,
  meResponse,
  tokenResponse,
} from '../../../contracts/auth.js';
import { okResponse, uuid } from '../../../contracts/common.js';
import { settingsSchema, updateSettingsRequest } from '../../../contracts/settings.js';
import { getSettings, updateSettings } from './settings.service.js';
import { listAudit } from '../../platform/audit/audit.repository.js';
import { actorRef, systemActor } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import { ctxOf, makeCtx } from '../../platform/http/request-context.js';
import type { AppDeps, AppInstance } from '../../platform/http/types.js';
import { requireAdmin } from './auth.policy.js';
import { presentToken, presentUser } from './auth.presenter.js';
import { changeOwnPassword, createApiToken, listOwnApiTokens, login, logout, revokeOwnApiToken } from './sessions.service.js';
import { getUser } from './users.service.js';

export const SESSION_COOKIE = 'tessera_session';

export function registerAuthRoutes(app: AppInstance, deps: AppDeps): void {
  const cookieOptions = {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: deps.config.secureCookies,
  };

  // One budget of password guesses per client address, shared by sign-in and by the current
  // password a password change checks: a session must not be a second, unlimited way to guess.
  const passwordGuesses = { max: deps.config.loginAttemptsPerMinute, timeWindow: 60_000 };
  const guessesByAddress = app.rateLimit(passwordGuesses);
  // And per account, so a stolen session used from many addresses gains nothing by them.
  const guessesByUser = app.createRateLimit({ ...passwordGuesses, keyGenerator: (request: FastifyRequest) => `user:${request.auth ? actorRef(request.auth.actor).actorId : request.ip}` });

  app.post(
    '/api/v1/auth/login',
    {
      config: { auth: 'public' },
      onRequest: guessesByAddress,
      schema: { tags: ['auth'], summary: 'Sign in with email and password (sets a session cookie)', body: loginRequest, response: { 200: loginResponse } },
    },
    async (request, reply) => {
      const ctx = makeCtx(deps, systemActor('login'), request.id, request.ip);
      const { sessionToken, auth } = await login(ctx, {
        ...request.body,
        userAgent: request.headers['user-agent'] ?? null,
        sessionTtlMs: deps.config.sessionTtlMs,
      });
      // Signing in replaces any session the browser had: the old id is dropped, never reused.
      const previous = request.cookies[SESSION_COOKIE];
      if (previous) await logout(ctx, previous);
      reply.setCookie(SESSION_COOKIE, sessionToken, { ...cookieOptions, maxAge: Math.floor(deps.config.sessionTtlMs / 1000) });
      const me = await getUser(ctx, auth.user.id);
      return { user: presentUser(me), csrfToken: auth.csrfToken };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    { config: { auth: 'public' }, schema: { tags: ['auth'], summary: 'End the current session', response: { 200: okResponse } } },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) {
        if (request.auth?.csrfToken && request.headers['x-csrf-token'] !== request.auth.csrfToken) {
          throw new AppError('csrf_failed', 'Missing or wrong X-CSRF-Token header');
        }
        await logout(makeCtx(deps, systemActor('logout'), request.id), token);
      }
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true as const };
    },
  );

  app.get('/api/v1/me', { schema: { tags: ['auth'], summary: 'The signed-in user', response: { 200: meResponse } } }, async (request) => {
    const ctx = ctxOf(deps, request);
    const id = request.auth!.actor.type === 'system' ? '' : (request.auth!.actor as { id: string }).id;
    return { user: presentUser(await getUser({ ...ctx, actor: systemActor('me') }, id)), csrfToken: request.auth!.csrfToken };
  });

  app.post(
    '/api/v1/me/password',
    {
      schema: { tags: ['auth'], summary: 'Change your own password (other sessions end)', body: changePasswordRequest, response: { 200: okResponse } },
      // Every attempt counts, as at sign-in: counting only the wrong ones, after the slow hash
      // check, would let a burst of parallel guesses all pass before the first was counted.
      preHandler: [
        guessesByAddress,
        async (request) => {
          const limit = await guessesByUser(request);
          if (!limit.isAllowed && limit.isExceeded) throw new AppError('rate_limited', 'Too many requests; try again later');
        },
      ],
    },
    async (request) => {
      await changeOwnPassword(ctxOf(deps, request), { ...request.body, keepSessionToken: request.cookies[SESSION_COOKIE] ?? null });
      return { ok: true as const };
    },
  );

  app.get('/api/v1/tokens', { schema: { tags: ['auth'], summary: 'Your personal API tokens', response: { 200: z.object({ items: z.array(tokenResponse) }) } } }, async (request) => ({
    items: (await listOwnApiTokens(ctxOf(deps, request))).map(presentToken),
  }));

  app.post(
    '/api/v1/tokens',
    { schema: { tags: ['auth'], summary: 'Create a personal API token; the secret is shown once', body: createTokenRequest, response: { 201: createdTokenResponse } } },
    async (request, reply) => {
      const t = await createApiToken(ctxOf(deps, request), request.body);
      return reply.status(201).send({ ...presentToken(t), token: t.token });
    },
  );

  app.delete(
    '/api/v1/tokens/:id',
    { schema: { tags: ['auth'], summary: 'Revoke a personal API token', params: z.object({ id: uuid }), response: { 200: okResponse } } },
    async (request) => {
      await revokeOwnApiToken(ctxOf(deps, request), request.params.id);
      return { ok: true as const };
    },
  );

  app.get('/api/v1/settings', { schema: { tags: ['admin'], summary: 'Installation settings', response: { 200: settingsSchema } } }, async (request) => getSettings(ctxOf(deps, request)));
  app.patch(
    '/api/v1/settings',
    { config: { auth: 'admin-scope' }, schema: { tags: ['admin'], summary: 'Change installation settings (admin; audited)', body: updateSettingsRequest, response: { 200: settingsSchema } } },
    async (request) => updateSettings(ctxOf(deps, request), request.body),
  );

  app.get(
    '/api/v1/audit-log',
    {
      config: { auth: 'admin-scope' },
      schema: {
        tags: ['admin'],
        summary: 'Admin audit log (settings, users, logins), newest first',
        querystring: auditLogQuery,
        response: { 200: z.object({ items: z.array(auditEntryResponse) }) },
      },
    },
    async (request) => {
      const ctx = ctxOf(deps, request);
      requireAdmin(ctx.actor);
      const q = request.query;
      const items = await listAudit(ctx.db, {
        ...q,
        from: q.from ? new Date(q.from).toISOString() : undefined,
        to: q.to ? new Date(q.to).toISOString() : undefined,
      });
      return { items };
    },
  );
}
