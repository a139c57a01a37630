import websocket from '@fastify/websocket';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { systemActor, type Actor } from '../context.js';
import { AppError } from '../errors.js';
import { makeCtx } from '../http/request-context.js';
import type { AppDeps, AppInstance, Authenticator } from '../http/types.js';
import { realtimeOf } from './realtime.js';

/** Frames are small JSON objects; anything bigger is a misbehaving client. */
const MAX_FRAME_BYTES = 64 * 1024;

/**
 * A cookie is sent with a WebSocket handshake from any site, so a cookie-authenticated socket
 * must come from our own origin (cross-site WebSocket hijacking). Token sockets carry their
 * secret in the URL and need no such check.
 */
function assertSameOrigin(request: FastifyRequest, publicUrl: string): void {
  const origin = request.headers.origin;
  if (!request.auth?.sessionToken || !origin) return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw new AppError('forbidden', 'Bad Origin header');
  }
  if (host !== request.headers.host && host !== new URL(publicUrl).host) throw new AppError('forbidden', 'WebSocket from another origin');
}

/** `GET /api/v1/ws`: the realtime socket (protocol in contracts/realtime.ts). */
export async function registerRealtimeRoutes(app: AppInstance, deps: AppDeps, authenticate: Authenticator): Promise<void> {
  const realtime = realtimeOf(deps.events);
  await app.register(websocket, { options: { maxPayload: MAX_FRAME_BYTES } });
  await realtime.start(deps.database, app.log);
  app.addHook('onClose', async () => realtime.stop());

  app.route({
    method: 'GET',
    url: '/api/v1/ws',
    schema: {
      tags: ['realtime'],
      summary: 'The realtime WebSocket (connect with an Upgrade; a plain GET gets 400)',
      description:
        'Authenticate with the session cookie (browsers, same origin only) or `?token=<API token>` (read scope). Frames are JSON objects; ' +
        'the protocol is `clientMessage` / `serverMessage` in contracts/realtime.ts. Subscribe with `{"type":"subscribe","rooms":["queue","agent:<your id>","group:<id>","ticket:<number>"]}`; ' +
        'events arrive as `{"type":"event","event":"ticket.updated","rooms":[...],"data":{...},"at":"..."}`. Staff send `{"type":"presence","ticket":N,"state":"viewing"|"replying"|"left"}` ' +
        'at least every presenceTtlMs/2 (see the hello frame) and receive `{"type":"presence","ticket":N,"people":[...]}`. A `resync` frame means events may have been missed: refetch.',
      querystring: z.object({ token: z.string().max(500).optional() }),
    },
    // The request log must not keep the token.
    logSerializers: { req: (req: FastifyRequest) => ({ method: req.method, url: req.url.replace(/([?&]token=)[^&]*/, '$1***'), reqId: req.id }) },
    // Browsers cannot set headers on a WebSocket: scripts may pass their API token in the URL,
    // which then goes through the one auth hook (scopes included) like a Bearer header.
    onRequest: async (request) => {
      const token = (request.query as { token?: unknown }).token;
      if (typeof token === 'string' && token && !request.headers.authorization) request.headers.authorization = `Bearer ${token}`;
    },
    preHandler: async (request) => assertSameOrigin(request, deps.config.publicUrl),
    handler: async () => {
      throw new AppError('bad_request', 'This endpoint speaks WebSocket: connect with an Upgrade request');
    },
    wsHandler: (socket, request) => {
      const headers = { authorization: request.headers.authorization };
      const cookies = { ...request.cookies };
      const reauthenticate = async (): Promise<Actor | null> => {
        const ctx = makeCtx(deps, systemActor('auth'), request.id, request.ip);
        return (await authenticate({ headers, cookies }, ctx))?.actor ?? null;
      };
      realtime.accept(socket, request.auth!.actor, reauthenticate);
    },
  });
}
