import type { FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { okResponse } from '../../../contracts/common.js';
import {
  TRANSFER_STATUSES,
  createTrackerRequest,
  escalateRequest,
  inboundStatusRequest,
  trackerResponse,
  transferCommentRequest,
  transferRequest,
  transferResponse,
  webhookIdParams,
} from '../../../contracts/integrations.js';
import { ticketNumberParams, ticketResponse } from '../../../contracts/tickets.js';
import { systemActor } from '../../platform/context.js';
import { ctxOf, makeCtx } from '../../platform/http/request-context.js';
import type { AppDeps, AppInstance } from '../../platform/http/types.js';
import { presentTicket } from '../tickets/index.js';
import type { Tracker } from './trackers.repository.js';
import { commentOnTransfer, createTracker, deleteTracker, escalateTicket, listTrackers, listTransfers, receiveTrackerStatus, ticketTransfer, transferTicket } from './transfers.service.js';

const header = (request: FastifyRequest, name: string): string | undefined => {
  const v = request.headers[name];
  return typeof v === 'string' ? v : undefined;
};

/** Escalation to another group, transfer to external issue trackers, and the trackers' signed status updates. */
export function registerTransferRoutes(app: AppInstance, deps: AppDeps): void {
  const tags = ['transfers'];
  const admin = { auth: 'admin-scope' as const };
  const present = (t: Tracker) => ({ ...t, inboundUrl: `${deps.config.publicUrl}/api/v1/integrations/trackers/${t.id}/inbound` });

  app.post(
    '/api/v1/tickets/:number/escalate',
    { schema: { tags, summary: 'Escalate to another group (tier 2) with an internal note; the ticket is unassigned for the new group (staff)', params: ticketNumberParams, body: escalateRequest, response: { 200: ticketResponse } } },
    async (request) => {
      const ctx = ctxOf(deps, request);
      return presentTicket(ctx, await escalateTicket(ctx, request.params.number, request.body));
    },
  );
  app.get('/api/v1/integrations/trackers', { config: admin, schema: { tags, summary: 'External issue trackers (admin)', response: { 200: z.object({ items: z.array(trackerResponse) }) } } }, async (request) => ({
    items: (await listTrackers(ctxOf(deps, request))).map(present),
  }));
  app.post(
    '/api/v1/integrations/trackers',
    { config: admin, schema: { tags, summary: 'Add a generic HTTP issue tracker with Liquid request templates (admin; audited)', body: createTrackerRequest, response: { 201: trackerResponse } } },
    async (request, reply) => reply.code(201).send(present(await createTracker(ctxOf(deps, request), request.body))),
  );
  app.delete('/api/v1/integrations/trackers/:id', { config: admin, schema: { tags, summary: 'Remove a tracker no ticket was transferred to (admin; audited)', params: webhookIdParams, response: { 200: okResponse } } }, async (request) => {
    await deleteTracker(ctxOf(deps, request), request.params.id);
    return { ok: true as const };
  });
  app.get(
    '/api/v1/integrations/transfers',
    {
      schema: {
        tags,
        summary: 'All transferred tickets, newest first (staff; restricted agents see their groups\' only)',
        querystring: z.object({ status: z.enum(TRANSFER_STATUSES).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }),
        response: { 200: z.object({ items: z.array(transferResponse) }) },
      },
    },
    async (request) => ({ items: await listTransfers(ctxOf(deps, request), request.query) }),
  );
  app.get(
    '/api/v1/tickets/:number/transfer',
    { schema: { tags, summary: "The ticket's external issue (link and status), or null (staff)", params: ticketNumberParams, response: { 200: z.object({ transfer: transferResponse.nullable() }) } } },
    async (request) => ({ transfer: await ticketTransfer(ctxOf(deps, request), request.params.number) }),
  );
  app.post(
    '/api/v1/tickets/:number/transfer',
    { schema: { tags, summary: 'Transfer to an external issue tracker: the issue is created there and linked here (staff)', params: ticketNumberParams, body: transferRequest, response: { 201: z.object({ transfer: transferResponse }) } } },
    async (request, reply) => {
      const ctx = ctxOf(deps, request);
      await transferTicket(ctx, request.params.number, request.body);
      return reply.code(201).send({ transfer: (await ticketTransfer(ctx, request.params.number))! });
    },
  );
  app.post(
    '/api/v1/tickets/:number/transfer/comments',
    { schema: { tags, summary: 'Send a comment to the external issue; kept on the ticket as an internal note (staff)', params: ticketNumberParams, body: transferCommentRequest, response: { 200: okResponse } } },
    async (request) => {
      await commentOnTransfer(ctxOf(deps, request), request.params.number, request.body.body);
      return { ok: true as const };
    },
  );
  // The signature covers the exact bytes: this plugin keeps the raw body beside the parsed one.
  void app.register(async (plugin) => {
    const scope = plugin.withTypeProvider<ZodTypeProvider>();
    const raw = new WeakMap<FastifyRequest, string>();
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 64 * 1024 }, (request, body, done) => {
      raw.set(request, body as string);
      try {
        done(null, JSON.parse(body as string));
      } catch {
        const err = new Error('The body is not valid JSON') as Error & { statusCode: number };
        err.statusCode = 400;
        done(err, undefined);
      }
    });
    scope.post(
      '/api/v1/integrations/trackers/:id/inbound',
      {
        config: { auth: 'public' },
        schema: {
          tags,
          summary: 'Status update from the tracker (transferred, in_progress, resolved), signed with the tracker\'s inbound secret like outgoing webhooks',
          params: webhookIdParams,
          body: inboundStatusRequest,
          response: { 200: transferResponse.omit({ trackerName: true }) },
        },
      },
      async (request) => {
        const ctx = makeCtx(deps, systemActor('tracker'), request.id, request.ip);
        return receiveTrackerStatus(ctx, request.params.id, { body: raw.get(request) ?? '', timestamp: header(request, 'x-tessera-timestamp'), signature: header(request, 'x-tessera-signature') }, request.body);
      },
    );
  });
}
