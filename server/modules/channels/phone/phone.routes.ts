import type { FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { uuid } from '../../../../contracts/common.js';
import {
  callbackResponse,
  callbacksQuery,
  callResponse,
  createCallbackRequest,
  ctiEventRequest,
  logCallRequest,
  phoneSettingsResponse,
  updateCallbackRequest,
  updatePhoneSettingsRequest,
} from '../../../../contracts/phone.js';
import { ticketNumberParams } from '../../../../contracts/tickets.js';
import { systemActor } from '../../../platform/context.js';
import { AppError } from '../../../platform/errors.js';
import { ctxOf, makeCtx } from '../../../platform/http/request-context.js';
import type { AppDeps, AppInstance } from '../../../platform/http/types.js';
import { createCallback, listCallbacks, updateCallback, type CallbackWithTicket } from './callbacks.service.js';
import { getPhoneSettings, ctiSecret, updatePhoneSettings } from './phone-settings.service.js';
import { callsOfTicket, logCall, receiveCtiEvent, verifyCtiSignature } from './phone.service.js';
import type { Call } from './phone.repository.js';

export const CTI_PATH = '/api/v1/channels/phone/events';

const presentCall = (c: Call, ticketNumber: number): z.infer<typeof callResponse> => ({
  id: c.id,
  ticketId: c.ticketId,
  ticketNumber,
  contactId: c.contactId,
  userId: c.userId,
  direction: c.direction,
  number: c.number,
  durationSeconds: c.durationSeconds,
  notes: c.notes,
  recordingUrl: c.recordingUrl,
  externalId: c.externalId,
  startedAt: c.startedAt,
  createdAt: c.createdAt,
});

const presentCallback = (c: CallbackWithTicket): z.infer<typeof callbackResponse> => ({
  id: c.id,
  ticketId: c.ticketId,
  ticketNumber: c.ticket.number,
  ticketSubject: c.ticket.subject,
  userId: c.userId,
  number: c.number,
  notes: c.notes,
  dueAt: c.dueAt,
  status: c.status,
  notifiedAt: c.notifiedAt,
  createdAt: c.createdAt,
});

const header = (request: FastifyRequest, name: string): string | undefined => {
  const v = request.headers[name];
  return typeof v === 'string' ? v : undefined;
};

export function registerPhoneRoutes(app: AppInstance, deps: AppDeps): void {
  app.post(
    '/api/v1/calls',
    { schema: { tags: ['phone'], summary: 'Log a call on a ticket or as a new ticket; the caller is matched (or added) by number', body: logCallRequest, response: { 201: callResponse } } },
    async (request, reply) => {
      const { call, ticket } = await logCall(ctxOf(deps, request), request.body);
      return reply.status(201).send(presentCall(call, ticket.number));
    },
  );
  app.get(
    '/api/v1/tickets/:number/calls',
    { schema: { tags: ['phone'], summary: 'Calls logged on a ticket (staff)', params: ticketNumberParams, response: { 200: z.object({ items: z.array(callResponse) }) } } },
    async (request) => {
      const { calls, ticket } = await callsOfTicket(ctxOf(deps, request), request.params.number);
      return { items: calls.map((c) => presentCall(c, ticket.number)) };
    },
  );

  app.get('/api/v1/callbacks', { schema: { tags: ['phone'], summary: 'Callback reservations, soonest first', querystring: callbacksQuery, response: { 200: z.object({ items: z.array(callbackResponse) }) } } }, async (request) => ({
    items: (await listCallbacks(ctxOf(deps, request), request.query)).map(presentCallback),
  }));
  app.post(
    '/api/v1/callbacks',
    { schema: { tags: ['phone'], summary: 'Book a callback; the agent is notified when it is due', body: createCallbackRequest, response: { 201: callbackResponse } } },
    async (request, reply) => reply.status(201).send(presentCallback(await createCallback(ctxOf(deps, request), request.body))),
  );
  app.patch(
    '/api/v1/callbacks/:id',
    { schema: { tags: ['phone'], summary: 'Mark a callback done or cancelled, or move it', params: z.object({ id: uuid }), body: updateCallbackRequest, response: { 200: callbackResponse } } },
    async (request) => presentCallback(await updateCallback(ctxOf(deps, request), request.params.id, request.body)),
  );

  app.get('/api/v1/channels/settings/phone', { config: { auth: 'admin-scope' }, schema: { tags: ['phone'], summary: 'Phone settings (admin; the CTI secret is write-only)', response: { 200: phoneSettingsResponse } } }, async (request) =>
    getPhoneSettings(ctxOf(deps, request)),
  );
  app.patch(
    '/api/v1/channels/settings/phone',
    { config: { auth: 'admin-scope' }, schema: { tags: ['phone'], summary: 'Set or clear the CTI shared secret (admin; audited)', body: updatePhoneSettingsRequest, response: { 200: phoneSettingsResponse } } },
    async (request) => updatePhoneSettings(ctxOf(deps, request), request.body),
  );

  // The signature covers the exact bytes, so this scope keeps the raw body and parses it itself.
  void app.register(async (plugin) => {
    const scope = plugin.withTypeProvider<ZodTypeProvider>();
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => done(null, body));
    scope.post(
      CTI_PATH,
      {
        // The body is parsed after the signature check, so the schema is for the document only.
        config: { auth: 'public', openapiBody: { mediaType: 'application/json', schema: ctiEventRequest } },
        schema: {
          tags: ['phone'],
          summary: 'CTI webhook: a phone system reports a call (JSON signed with X-Tessera-Signature over "<X-Tessera-Timestamp>.<body>")',
          response: { 201: callResponse, 200: callResponse },
        },
      },
      async (request, reply) => {
        const ctx = makeCtx(deps, systemActor('cti'), request.id, request.ip);
        const raw = typeof request.body === 'string' ? request.body : '';
        const ok = verifyCtiSignature({ secret: await ctiSecret(ctx), timestamp: header(request, 'x-tessera-timestamp'), signature: header(request, 'x-tessera-signature'), rawBody: raw, now: ctx.now });
        if (!ok) throw new AppError('signature_invalid', 'The X-Tessera-Signature header does not match this request (or the timestamp is too old)');
        let json: unknown;
        try {
          json = JSON.parse(raw);
        } catch {
          throw new AppError('validation_failed', 'The body is not JSON', { fields: [{ path: 'body', message: 'not JSON' }] });
        }
        const parsed = ctiEventRequest.safeParse(json);
        if (!parsed.success) {
          const fields = parsed.error.issues.map((i) => ({ path: ['body', ...i.path].join('.'), message: i.message }));
          throw new AppError('validation_failed', fields.map((f) => `${f.path}: ${f.message}`).join('; '), { fields });
        }
        const { call, ticket, duplicate } = await receiveCtiEvent(ctx, parsed.data);
        return reply.status(duplicate ? 200 : 201).send(presentCall(call, ticket.number));
      },
    );
  });
}
