import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { multipartFileBody, nonJsonResponse, okResponse, uuid } from '../../../../contracts/common.js';
import {
  portalAttachment,
  portalBrandResponse,
  portalLinkRequest,
  portalMeResponse,
  portalNewTicketRequest,
  portalReplyRequest,
  portalSettingsResponse,
  portalSignInRequest,
  portalTicketDetail,
  portalTicketsQuery,
  portalTicketSummary,
  updatePortalSettingsRequest,
} from '../../../../contracts/portal.js';
import { ticketNumberParams } from '../../../../contracts/tickets.js';
import { systemActor, type Ctx } from '../../../platform/context.js';
import { AppError } from '../../../platform/errors.js';
import { readUploadedFile } from '../../../platform/http/multipart-file.js';
import { ctxOf, makeCtx } from '../../../platform/http/request-context.js';
import type { AppDeps, AppInstance } from '../../../platform/http/types.js';
import { getOrganizationsByIds } from '../../contacts/index.js';
import { findDownloadableAttachment, uploadAttachment } from '../../messages/index.js';
import { authenticatePortal, brandMailbox, requestSignInLink, signInWithLink, signOutPortal, type PortalAuth } from './portal-auth.service.js';
import { closeFromPortal, getPortalTicket, listPortalTickets, openFromPortal, replyFromPortal, type PortalTicket } from './portal.service.js';
import { getPortalSettings, updatePortalSettings } from './portal-settings.service.js';

export const PORTAL_COOKIE = 'tessera_portal';
const COOKIE_PATH = '/api/v1/portal';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const WEB_ROOT = join(import.meta.dirname, '../../../../web/portal');
const ASSETS: Record<string, string> = { 'portal.js': 'text/javascript; charset=utf-8', 'portal.css': 'text/css; charset=utf-8' };

const presentTicket = (t: PortalTicket): z.infer<typeof portalTicketSummary> => ({
  number: t.ticket.number,
  subject: t.ticket.subject,
  status: t.ticket.status,
  mine: t.mine,
  createdAt: t.ticket.createdAt,
  updatedAt: t.ticket.updatedAt,
});

/**
 * The customer portal: its own cookie (separate from agents' sessions, scoped to the portal API)
 * and CSRF token, the customer actor the tickets policy already restricts, and a small static page.
 */
export function registerPortalRoutes(app: AppInstance, deps: AppDeps): void {
  const pub = { auth: 'public' as const };

  async function portalAuth(request: FastifyRequest): Promise<{ ctx: Ctx; auth: PortalAuth }> {
    const token = request.cookies[PORTAL_COOKIE];
    const base = makeCtx(deps, systemActor('portal'), request.id, request.ip);
    const auth = token ? await authenticatePortal(base, token) : null;
    if (!auth) throw new AppError('unauthenticated', 'Sign in to the portal with the link we mail you');
    if (!SAFE.has(request.method)) {
      const given = Buffer.from(String(request.headers['x-csrf-token'] ?? ''));
      const expected = Buffer.from(auth.session.csrfToken);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new AppError('csrf_failed', 'Missing or wrong X-CSRF-Token header');
    }
    return { ctx: { ...base, actor: auth.actor }, auth };
  }

  const portalUrl = deps.config.publicUrl;

  app.post(
    '/api/v1/portal/sign-in-link',
    {
      config: { ...pub, rateLimit: { max: 10, timeWindow: 60_000 } },
      schema: { tags: ['portal'], summary: 'Mail a single-use sign-in link (same answer for known and unknown addresses)', body: portalLinkRequest, response: { 202: okResponse } },
    },
    async (request, reply) => {
      await requestSignInLink(makeCtx(deps, systemActor('portal'), request.id, request.ip), { email: request.body.email, mailboxId: request.body.mailboxId, portalUrl });
      return reply.status(202).send({ ok: true as const });
    },
  );

  app.post(
    '/api/v1/portal/sign-in',
    {
      config: { ...pub, rateLimit: { max: 30, timeWindow: 60_000 } },
      schema: { tags: ['portal'], summary: 'Use a sign-in link token (once); sets the portal session cookie', body: portalSignInRequest, response: { 200: portalMeResponse } },
    },
    async (request, reply) => {
      const ctx = makeCtx(deps, systemActor('portal'), request.id, request.ip);
      const { sessionToken, session, contact } = await signInWithLink(ctx, request.body.token);
      reply.setCookie(PORTAL_COOKIE, sessionToken, {
        path: COOKIE_PATH,
        httpOnly: true,
        sameSite: 'strict',
        secure: deps.config.secureCookies,
        expires: new Date(session.expiresAt),
      });
      const auth = await authenticatePortal(ctx, sessionToken);
      const [org] = contact.organizationId ? await getOrganizationsByIds(ctx, [contact.organizationId]) : [];
      return { name: contact.name, email: contact.emails[0] ?? '', organization: org?.name ?? null, canSeeOrganization: auth?.actor.seeOrganization ?? false, csrfToken: session.csrfToken };
    },
  );

  app.post('/api/v1/portal/sign-out', { config: pub, schema: { tags: ['portal'], summary: 'End the portal session', response: { 200: okResponse } } }, async (request, reply) => {
    const { ctx } = await portalAuth(request);
    const token = request.cookies[PORTAL_COOKIE];
    if (token) await signOutPortal(ctx, token);
    reply.clearCookie(PORTAL_COOKIE, { path: COOKIE_PATH });
    return { ok: true as const };
  });

  app.get('/api/v1/portal/me', { config: pub, schema: { tags: ['portal'], summary: 'The signed-in customer', response: { 200: portalMeResponse } } }, async (request) => {
    const { ctx, auth } = await portalAuth(request);
    const [org] = auth.contact.organizationId ? await getOrganizationsByIds(ctx, [auth.contact.organizationId]) : [];
    return { name: auth.contact.name, email: auth.contact.emails[0] ?? '', organization: org?.name ?? null, canSeeOrganization: auth.actor.seeOrganization, csrfToken: auth.session.csrfToken };
  });

  app.get(
    '/api/v1/portal/brand',
    { config: pub, schema: { tags: ['portal'], summary: "The portal's look for a mailbox (name, colour, logo)", querystring: z.object({ mailbox: uuid.optional() }), response: { 200: portalBrandResponse } } },
    async (request) => {
      const m = await brandMailbox(makeCtx(deps, systemActor('portal'), request.id), request.query.mailbox);
      return { mailboxId: m?.id ?? null, name: m?.brand.name || m?.displayName || 'Support', colour: m?.brand.colour ?? '#1f6feb', logoUrl: m?.brand.logoUrl ?? null };
    },
  );

  app.get(
    '/api/v1/portal/tickets',
    { config: pub, schema: { tags: ['portal'], summary: "The customer's tickets (or their organization's, when allowed)", querystring: portalTicketsQuery, response: { 200: z.object({ items: z.array(portalTicketSummary) }) } } },
    async (request) => {
      const { ctx } = await portalAuth(request);
      return { items: (await listPortalTickets(ctx, request.query.scope)).map(presentTicket) };
    },
  );

  app.post(
    '/api/v1/portal/tickets',
    { config: pub, schema: { tags: ['portal'], summary: 'Open a new request', body: portalNewTicketRequest, response: { 201: portalTicketSummary } } },
    async (request, reply) => {
      const { ctx } = await portalAuth(request);
      const ticket = await openFromPortal(ctx, request.body);
      return reply.status(201).send(presentTicket({ ticket, mine: true }));
    },
  );

  app.get(
    '/api/v1/portal/tickets/:number',
    { config: pub, schema: { tags: ['portal'], summary: 'A ticket and its public conversation (404 for tickets that are not yours)', params: ticketNumberParams, response: { 200: portalTicketDetail } } },
    async (request) => {
      const { ctx } = await portalAuth(request);
      const { ticket, messages } = await getPortalTicket(ctx, request.params.number);
      return {
        ...presentTicket(ticket),
        messages: messages.map((v) => ({
          id: v.message.id,
          from: v.from,
          authorName: v.authorName,
          bodyText: v.message.bodyText,
          bodyHtml: v.message.bodyHtml,
          createdAt: v.message.createdAt,
          attachments: v.message.attachments.map((a) => ({ id: a.id, filename: a.filename, contentType: a.contentType, size: a.size })),
        })),
      };
    },
  );

  app.post(
    '/api/v1/portal/tickets/:number/messages',
    { config: pub, schema: { tags: ['portal'], summary: 'Reply on your ticket', params: ticketNumberParams, body: portalReplyRequest, response: { 201: okResponse } } },
    async (request, reply) => {
      const { ctx } = await portalAuth(request);
      await replyFromPortal(ctx, request.params.number, request.body);
      return reply.status(201).send({ ok: true as const });
    },
  );

  app.post(
    '/api/v1/portal/tickets/:number/close',
    { config: pub, schema: { tags: ['portal'], summary: 'Close your ticket', params: ticketNumberParams, response: { 200: portalTicketSummary } } },
    async (request) => {
      const { ctx } = await portalAuth(request);
      return presentTicket({ ticket: await closeFromPortal(ctx, request.params.number), mine: true });
    },
  );

  app.post(
    '/api/v1/portal/uploads',
    { config: { ...pub, openapiBody: { mediaType: 'multipart/form-data', schema: multipartFileBody } }, schema: { tags: ['portal'], summary: 'Upload a file (multipart field "file") to attach to a reply', consumes: ['multipart/form-data'], response: { 201: portalAttachment } } },
    async (request, reply) => {
      const { ctx } = await portalAuth(request);
      const file = await readUploadedFile(request, deps.config.maxAttachmentBytes);
      const a = await uploadAttachment(ctx, deps.blobs, { ...file, maxBytes: deps.config.maxAttachmentBytes });
      return reply.status(201).send({ id: a.id, filename: a.filename, contentType: a.contentType, size: a.size });
    },
  );

  app.get('/api/v1/portal/attachments/:id', { config: pub, schema: { tags: ['portal'], summary: 'Download an attachment of your ticket', params: z.object({ id: uuid }), response: { 200: nonJsonResponse('*/*', 'The file, with its own Content-Type, as an attachment download') } } }, async (request, reply) => {
    const { ctx } = await portalAuth(request);
    const a = await findDownloadableAttachment(ctx, request.params.id);
    return reply
      .header('content-type', a.contentType)
      .header('content-length', a.size)
      .header('content-disposition', `attachment; filename="${a.filename.replace(/[^\x20-\x7e]/g, '_').replace(/"/g, '_')}"; filename*=UTF-8''${encodeURIComponent(a.filename)}`)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .send(deps.blobs.open(a.sha256));
  });

  app.get('/api/v1/channels/settings/portal', { config: { auth: 'admin-scope' }, schema: { tags: ['portal'], summary: 'Portal settings (admin)', response: { 200: portalSettingsResponse } } }, async (request) =>
    getPortalSettings(ctxOf(deps, request)),
  );
  app.patch(
    '/api/v1/channels/settings/portal',
    { config: { auth: 'admin-scope' }, schema: { tags: ['portal'], summary: 'Change portal settings (admin; audited)', body: updatePortalSettingsRequest, response: { 200: portalSettingsResponse } } },
    async (request) => updatePortalSettings(ctxOf(deps, request), request.body),
  );

  registerPortalPage(app);
}

const PAGE_CSP = "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** The portal page is static: it holds no data and reads everything from the portal API. */
function registerPortalPage(app: AppInstance): void {
  const send = async (reply: FastifyReply, file: string, type: string) =>
    reply
      .type(type)
      .header('cache-control', 'no-cache')
      .header('content-security-policy', PAGE_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY')
      .send(await readFile(join(WEB_ROOT, file)));
  const page = async (_request: FastifyRequest, reply: FastifyReply) => send(reply, 'index.html', 'text/html; charset=utf-8');
  app.get('/portal', { schema: { hide: true } }, page);
  app.get('/portal/', { schema: { hide: true } }, page);
  app.get('/portal/assets/:file', { schema: { hide: true, params: z.object({ file: z.string() }) } }, async (request, reply) => {
    const type = ASSETS[request.params.file];
    if (!type) throw new AppError('not_found', 'No such file');
    return send(reply, request.params.file, type);
  });
}
