import type { FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { nonJsonResponse } from '../../../contracts/common.js';
import { csatFormBody, csatRateQuery, csatSettingsResponse, csatTokenParams, ticketCsatResponse, updateCsatSettingsRequest } from '../../../contracts/csat.js';
import { ticketNumberParams } from '../../../contracts/tickets.js';
import { systemActor } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import { ctxOf, makeCtx } from '../../platform/http/request-context.js';
import type { AppDeps, AppInstance } from '../../platform/http/types.js';
import { errorPage, ratingPage, type PageState } from './csat-pages.js';
import { getCsatSettings, rateFromLink, surveyState, ticketCsat, updateCsatSettings } from './csat.service.js';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";

/** Customer pages answer in HTML: a known error becomes a page with its status, the rest goes to the error handler. */
async function htmlPage(reply: FastifyReply, work: () => Promise<string>): Promise<FastifyReply> {
  reply.header('content-security-policy', CSP).header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').type('text/html; charset=utf-8');
  try {
    return reply.send(await work());
  } catch (err) {
    if (err instanceof AppError && err.status < 500) return reply.code(err.status).send(errorPage(err.message));
    throw err;
  }
}

export function registerCsatRoutes(app: AppInstance, deps: AppDeps): void {
  const tags = ['csat'];
  // Also for a refused or expired link: the customer reads the outcome on the page.
  const PAGE = nonJsonResponse('text/html', 'The survey page');
  const PAGES = { 200: PAGE, 403: nonJsonResponse('text/html', 'csat_link_invalid: the link was altered or expired'), 409: nonJsonResponse('text/html', 'csat_rating_locked: the time for changing the rating has passed') };
  const publicCtx = (request: { id: string; ip: string }) => makeCtx(deps, systemActor('csat-survey'), request.id, request.ip);
  // Survey pages post a plain HTML form; the parser stays inside this plugin so other routes keep JSON only.
  void app.register(async (plugin) => {
    const scope = plugin.withTypeProvider<ZodTypeProvider>();
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    scope.get(
      '/csat/:token',
      { config: { auth: 'public' }, schema: { tags, summary: 'One-click rating from the survey mail (signed, expiring link); shows the comment form', params: csatTokenParams, querystring: csatRateQuery, response: PAGES } },
      async (request, reply) =>
        htmlPage(reply, async () => {
          const ctx = publicCtx(request);
          const action = `/csat/${encodeURIComponent(request.params.token)}`;
          if (request.query.rating === undefined) return ratingPage((await surveyState(ctx, request.params.token)) as PageState, action, false);
          return ratingPage(await rateFromLink(ctx, request.params.token, { rating: request.query.rating }), action, true);
        }),
    );
    scope.post(
      '/csat/:token',
      { config: { auth: 'public' }, schema: { tags, summary: 'Rating with an optional comment, from the survey page form', params: csatTokenParams, consumes: ['application/x-www-form-urlencoded'], body: csatFormBody, response: PAGES } },
      async (request, reply) =>
        htmlPage(reply, async () => {
          const state = await rateFromLink(publicCtx(request), request.params.token, { rating: request.body.rating, comment: request.body.comment ?? '' });
          return ratingPage(state, `/csat/${encodeURIComponent(request.params.token)}`, true);
        }),
    );
  });
  app.get(
    '/api/v1/tickets/:number/csat',
    { schema: { tags, summary: "The customer's satisfaction rating of the ticket, or null (staff who can see the ticket)", params: ticketNumberParams, response: { 200: ticketCsatResponse } } },
    async (request) => ticketCsat(ctxOf(deps, request), request.params.number),
  );
  app.get('/api/v1/csat/settings', { config: { auth: 'admin-scope' }, schema: { tags, summary: 'Survey settings (admin)', response: { 200: csatSettingsResponse } } }, async (request) =>
    getCsatSettings(ctxOf(deps, request)),
  );
  app.patch(
    '/api/v1/csat/settings',
    { config: { auth: 'admin-scope' }, schema: { tags, summary: 'Change survey settings: on/off, scale, change window, link validity, template (admin; audited)', body: updateCsatSettingsRequest, response: { 200: csatSettingsResponse } } },
    async (request) => updateCsatSettings(ctxOf(deps, request), request.body),
  );
}
