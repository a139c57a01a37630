import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { nonJsonResponse, okResponse, uuid } from '../../../contracts/common.js';
import {
  createMailboxRequest,
  inboundAcceptedResponse,
  inboundMailDetail,
  inboundMailSummary,
  inboundQuery,
  inboundUploadQuery,
  mailboxResponse,
  mailParticipantResponse,
  originalMailResponse,
  updateMailboxRequest,
} from '../../../contracts/mail.js';
import { AppError } from '../../platform/errors.js';
import { decodeCursor, encodeCursor, isTimeIdKey } from '../../platform/http/cursor.js';
import { ctxOf } from '../../platform/http/request-context.js';
import type { AppDeps, AppInstance } from '../../platform/http/types.js';
import { loadMailConfig, type MailConfig } from '../../platform/mail/mail-config.js';
import { ticketNumberParams } from '../../../contracts/tickets.js';
import { ticketNumbersByIds } from '../tickets/index.js';
import { presentInboundDetail, presentInboundSummary, presentMailbox } from './channels.presenter.js';
import { acceptUploadedMail, getInboundMail, inboundRaw, listInboundMail, mailParticipants, originalOfMessage, replayInboundMail } from './inbound-admin.service.js';
import { createMailbox, deleteMailbox, getMailbox, listMailboxes, updateMailbox } from './mailboxes.service.js';
import { registerOutboundMailRoutes } from './outbound.routes.js';

const idParams = z.object({ id: uuid });

export function registerChannelRoutes(app: AppInstance, deps: AppDeps, mail: MailConfig = loadMailConfig()): void {
  registerMailboxRoutes(app, deps);
  registerOutboundMailRoutes(app, deps, mail);
  // Raw MIME has its own content type and size limit, kept to this plugin's scope.
  void app.register(async (plugin) => {
    const scope = plugin.withTypeProvider<ZodTypeProvider>();
    scope.addContentTypeParser('message/rfc822', { parseAs: 'buffer', bodyLimit: mail.maxMailBytes }, (_req, body, done) => done(null, body));
    registerInboundRoutes(scope as AppInstance, deps, mail);
  });
}

function registerMailboxRoutes(app: AppInstance, deps: AppDeps): void {
  const admin = { auth: 'admin-scope' as const };
  app.get('/api/v1/mailboxes', { config: admin, schema: { tags: ['mail'], summary: 'List mailboxes (admin)', response: { 200: z.object({ items: z.array(mailboxResponse) }) } } }, async (request) => ({
    items: (await listMailboxes(ctxOf(deps, request))).map(presentMailbox),
  }));
  app.post(
    '/api/v1/mailboxes',
    { config: admin, schema: { tags: ['mail'], summary: 'Create a mailbox (admin; audited). The IMAP password is write-only', body: createMailboxRequest, response: { 201: mailboxResponse } } },
    async (request, reply) => reply.status(201).send(presentMailbox(await createMailbox(ctxOf(deps, request), request.body))),
  );
  app.get('/api/v1/mailboxes/:id', { config: admin, schema: { tags: ['mail'], summary: 'Get a mailbox with its IMAP sync state (admin)', params: idParams, response: { 200: mailboxResponse } } }, async (request) =>
    presentMailbox(await getMailbox(ctxOf(deps, request), request.params.id)),
  );
  app.patch(
    '/api/v1/mailboxes/:id',
    { config: admin, schema: { tags: ['mail'], summary: 'Change a mailbox (admin; audited)', params: idParams, body: updateMailboxRequest, response: { 200: mailboxResponse } } },
    async (request) => presentMailbox(await updateMailbox(ctxOf(deps, request), request.params.id, request.body)),
  );
  app.delete(
    '/api/v1/mailboxes/:id',
    { config: admin, schema: { tags: ['mail'], summary: 'Delete a mailbox that never received mail (admin; audited)', params: idParams, response: { 200: okResponse } } },
    async (request) => {
      await deleteMailbox(ctxOf(deps, request), request.params.id);
      return { ok: true as const };
    },
  );
  app.get(
    '/api/v1/mail/messages/:id/original',
    { schema: { tags: ['mail'], summary: 'The full original of an email message, quoted history included (staff)', params: idParams, response: { 200: originalMailResponse } } },
    async (request) => originalOfMessage(ctxOf(deps, request), request.params.id),
  );
  app.get(
    '/api/v1/tickets/:number/mail-participants',
    { schema: { tags: ['mail'], summary: 'People in the ticket\'s mail conversation: requester, senders, people in copy (staff)', params: ticketNumberParams, response: { 200: z.object({ items: z.array(mailParticipantResponse) }) } } },
    async (request) => ({ items: (await mailParticipants(ctxOf(deps, request), request.params.number)).map(({ ticketId: _t, ...p }) => p) }),
  );
}

function registerInboundRoutes(app: AppInstance, deps: AppDeps, mail: MailConfig): void {
  app.post(
    '/api/v1/mail/inbound',
    {
      bodyLimit: mail.maxMailBytes,
      config: { openapiBody: { mediaType: 'message/rfc822', schema: z.string().meta({ format: 'binary', description: 'The message as sent, headers and body' }) } },
      schema: {
        tags: ['mail'],
        summary: 'Deliver a raw message (Content-Type: message/rfc822) to a mailbox; needs an admin API token with the write scope',
        querystring: inboundUploadQuery,
        consumes: ['message/rfc822'],
        response: { 202: inboundAcceptedResponse },
      },
    },
    async (request, reply) => {
      const ctx = ctxOf(deps, request);
      if (request.auth?.scopes === null) throw new AppError('forbidden', 'Deliver mail with an API token, not a browser session');
      if (!Buffer.isBuffer(request.body)) throw new AppError('unsupported_media_type', 'Send the raw message with Content-Type: message/rfc822');
      const stored = await acceptUploadedMail(ctx, { raw: request.body, mailbox: request.query.mailbox });
      return reply.status(202).send(stored);
    },
  );

  app.get(
    '/api/v1/mail/inbound',
    {
      config: { auth: 'admin-scope' },
      schema: { tags: ['mail'], summary: 'Stored inbound mail, newest first; ?status=quarantined lists the quarantine (admin)', querystring: inboundQuery, response: { 200: z.object({ items: z.array(inboundMailSummary), nextCursor: z.string().nullable() }) } },
    },
    async (request) => {
      const ctx = ctxOf(deps, request);
      const before = decodeCursor('inbound-mail', request.query.cursor, isTimeIdKey, { status: request.query.status ?? null });
      const rows = await listInboundMail(ctx, { status: request.query.status, before, limit: request.query.limit + 1 });
      const page = rows.slice(0, request.query.limit);
      const numbers = await ticketNumbersByIds(ctx, page.map((m) => m.ticketId).filter((x): x is string => x !== null));
      const last = page[page.length - 1];
      return { items: page.map((m) => presentInboundSummary(m, numbers)), nextCursor: rows.length > page.length && last ? encodeCursor('inbound-mail', { at: last.receivedAt, id: last.id }, { status: request.query.status ?? null }) : null };
    },
  );

  app.get(
    '/api/v1/mail/inbound/:id',
    { config: { auth: 'admin-scope' }, schema: { tags: ['mail'], summary: 'One stored message: status, quarantine reason, loop classification (admin)', params: idParams, response: { 200: inboundMailDetail } } },
    async (request) => {
      const ctx = ctxOf(deps, request);
      const { mail: m, reports } = await getInboundMail(ctx, request.params.id);
      return presentInboundDetail(m, await ticketNumbersByIds(ctx, m.ticketId ? [m.ticketId] : []), reports);
    },
  );

  app.get(
    '/api/v1/mail/inbound/:id/raw',
    { config: { auth: 'admin-scope' }, schema: { tags: ['mail'], summary: 'The raw message as received (admin)', params: idParams, response: { 200: nonJsonResponse('message/rfc822', 'The message as received, as a .eml download') } } },
    async (request, reply) => {
      const raw = await inboundRaw(ctxOf(deps, request), request.params.id);
      return reply
        .header('content-type', 'message/rfc822')
        .header('content-disposition', `attachment; filename="${request.params.id}.eml"`)
        .header('x-content-type-options', 'nosniff')
        .send(raw);
    },
  );

  app.post(
    '/api/v1/mail/inbound/:id/replay',
    { config: { auth: 'admin-scope' }, schema: { tags: ['mail'], summary: 'Process a quarantined or ignored message again (admin; audited)', params: idParams, response: { 202: inboundMailDetail } } },
    async (request, reply) => {
      const ctx = ctxOf(deps, request);
      const m = await replayInboundMail(ctx, request.params.id);
      return reply.status(202).send(presentInboundDetail(m, await ticketNumbersByIds(ctx, m.ticketId ? [m.ticketId] : [])));
    },
  );
}
