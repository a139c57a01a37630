import { existsSync, readFileSync, statSync } from 'node:fs';
import { buffer } from 'node:stream/consumers';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { multipartFileBody } from '../../../../contracts/common.js';
import { chatMessageResponse, offlineMessageRequest, offlineMessageResponse, startChatRequest, startChatResponse, widgetConfigQuery, widgetConfigResponse } from '../../../../contracts/chat.js';
import { systemActor } from '../../../platform/context.js';
import { AppError } from '../../../platform/errors.js';
import { readUploadedFile } from '../../../platform/http/multipart-file.js';
import { makeCtx } from '../../../platform/http/request-context.js';
import type { AppDeps, AppInstance } from '../../../platform/http/types.js';
import { realtimeOf } from '../../../platform/realtime/realtime.js';
import { presentChatMessage } from './chat.presenter.js';
import type { ChatSession } from './chat.repository.js';
import { leaveOfflineMessage, postVisitorFile, sessionByToken, startChat, widgetConfig } from './chat.service.js';
import { VisitorSocket } from './visitor-socket.js';

const WIDGET_FILE = fileURLToPath(new URL('../../../../web/dist/widget.js', import.meta.url));
const TAGS = ['chat visitor'];

/**
 * The widget runs on customers' sites, so these endpoints answer any origin. They carry no
 * cookies (credentials are never allowed): the visitor token, issued when the chat starts, is
 * the only key, and it opens only its own chat.
 */
function cors(_request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  reply.header('access-control-allow-origin', '*').header('access-control-allow-headers', 'content-type, x-chat-token').header('access-control-allow-methods', 'GET, POST, OPTIONS').header('access-control-max-age', '600');
  done();
}

const facts = (request: FastifyRequest) => ({ userAgent: request.headers['user-agent'] ?? null, ip: request.ip ?? null });

export function registerVisitorRoutes(app: AppInstance, deps: AppDeps): void {
  const pub = { auth: 'public' as const };
  const visitorCtx = (request: FastifyRequest) => makeCtx(deps, systemActor('chat'), request.id, request.ip);

  app.get('/widget.js', { schema: { hide: true } }, async (_request, reply) => {
    if (!existsSync(WIDGET_FILE)) throw new AppError('not_found', 'The chat widget has not been built (npm run build:web)');
    return reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .header('last-modified', statSync(WIDGET_FILE).mtime.toUTCString())
      .header('x-content-type-options', 'nosniff')
      .send(readFileSync(WIDGET_FILE));
  });

  app.options('/api/v1/chat/visitor/*', { config: pub, onRequest: cors, schema: { hide: true } }, async (_request, reply) => reply.status(204).send());

  app.get(
    '/api/v1/chat/visitor/config',
    { config: pub, onRequest: cors, schema: { tags: TAGS, summary: 'What the widget shows: online or the offline form, pre-chat fields', querystring: widgetConfigQuery, response: { 200: widgetConfigResponse } } },
    async (request) => widgetConfig(visitorCtx(request), request.query.mailbox),
  );
  app.post(
    '/api/v1/chat/visitor/sessions',
    {
      config: { ...pub, rateLimit: { max: 20, timeWindow: 60_000 } },
      onRequest: cors,
      schema: { tags: TAGS, summary: 'Start a chat; returns the visitor token for the socket (409 chat_unavailable when no agent is there)', body: startChatRequest, response: { 201: startChatResponse } },
    },
    async (request, reply) => {
      const { session, token } = await startChat(visitorCtx(request), request.body, facts(request));
      return reply.status(201).send({ sessionId: session.id, token });
    },
  );
  app.post(
    '/api/v1/chat/visitor/offline',
    {
      config: { ...pub, rateLimit: { max: 10, timeWindow: 60_000 } },
      onRequest: cors,
      schema: { tags: TAGS, summary: 'Leave a message when no agent is available; it becomes a ticket (channel chat)', body: offlineMessageRequest, response: { 201: offlineMessageResponse } },
    },
    async (request, reply) => reply.status(201).send(await leaveOfflineMessage(visitorCtx(request), request.body, facts(request))),
  );
  app.post(
    '/api/v1/chat/visitor/files',
    {
      config: { ...pub, rateLimit: { max: 30, timeWindow: 60_000 }, openapiBody: { mediaType: 'multipart/form-data', schema: multipartFileBody } },
      onRequest: cors,
      schema: { tags: TAGS, summary: 'Send a file in the chat (multipart field "file", header X-Chat-Token)', response: { 201: chatMessageResponse } },
    },
    async (request, reply) => {
      const ctx = visitorCtx(request);
      const session = await sessionByToken(ctx, String(request.headers['x-chat-token'] ?? ''));
      const { stream, filename, contentType } = await readUploadedFile(request, deps.config.maxAttachmentBytes);
      // Read whole before anything is stored: the stream fails on a file over the limit or an empty one.
      const content = await buffer(stream);
      const message = await postVisitorFile(ctx, deps.blobs, session.id, { content, filename, contentType, maxBytes: deps.config.maxAttachmentBytes });
      return reply.status(201).send(presentChatMessage(message));
    },
  );

  const realtime = realtimeOf(deps.events);
  const sessions = new WeakMap<FastifyRequest, ChatSession | null>();
  app.route({
    method: 'GET',
    url: '/api/v1/chat/visitor/ws',
    config: pub,
    schema: {
      tags: TAGS,
      summary: 'The visitor socket (WebSocket; protocol visitorClientFrame / VisitorServerFrame in contracts/chat.ts)',
      querystring: z.object({ token: z.string().max(200), after: z.coerce.number().int().min(0).default(0) }),
    },
    logSerializers: { req: (req: FastifyRequest) => ({ method: req.method, url: req.url.replace(/([?&]token=)[^&]*/, '$1***'), reqId: req.id }) },
    // The session is found before the upgrade: once the handshake is done the widget sends at
    // once (lines typed while it connected), and a socket whose listeners are attached a database
    // round trip later has already dropped those frames.
    preHandler: async (request) => {
      const token = (request.query as { token: string }).token;
      sessions.set(request, await sessionByToken(visitorCtx(request), token).catch((err: unknown) => {
        if (err instanceof AppError && err.code === 'unauthenticated') return null;
        throw err;
      }));
    },
    handler: async () => {
      throw new AppError('bad_request', 'This endpoint speaks WebSocket: connect with an Upgrade request');
    },
    wsHandler: (socket, request) => {
      const session = sessions.get(request);
      // A wrong or forgotten token closes with 4401, so the widget stops retrying and starts over.
      if (!session) return socket.close(4401, 'unknown chat token');
      new VisitorSocket(realtime, socket, session, () => visitorCtx(request), app.log).open((request.query as { after: number }).after).catch((err: unknown) => {
        app.log.error({ err }, 'chat visitor socket failed to open');
        socket.close(1011, 'could not open the chat');
      });
    },
  });
}
