import { z } from 'zod';
import { multipartFileBody, nonJsonResponse, uuid } from '../../../contracts/common.js';
import { attachmentResponse, listMessagesQuery, messagesPage, postMessageRequest, postMessageResponse } from '../../../contracts/messages.js';
import { createTicketRequest, createTicketsBatchRequest, createTicketsBatchResponse, MAX_BATCH_TICKETS, mergeRequest, splitRequest, ticketNumberParams, ticketResponse } from '../../../contracts/tickets.js';
import { decodeCursor, encodeCursor, isTimeIdKey } from '../../platform/http/cursor.js';
import { readUploadedFile } from '../../platform/http/multipart-file.js';
import { ctxOf } from '../../platform/http/request-context.js';
import type { AppDeps, AppInstance } from '../../platform/http/types.js';
import { presentTicket, ticketNumbersByIds } from '../tickets/index.js';
import { createTicketBatch, createTicketWithMessage, mergeTickets, splitTicket } from './conversation.service.js';
import { presentAttachment, presentMessages } from './messages.presenter.js';
import { findDownloadableAttachment, listMessagesPage, postMessage, uploadAttachment } from './messages.service.js';

export function registerMessageRoutes(app: AppInstance, deps: AppDeps): void {
  app.post(
    '/api/v1/tickets',
    {
      schema: {
        tags: ['tickets'],
        summary: 'Create a ticket with its first message; an unknown requester email creates the contact',
        body: createTicketRequest,
        response: { 201: ticketResponse },
      },
    },
    async (request, reply) => {
      const ctx = ctxOf(deps, request);
      const { ticket, requester } = await createTicketWithMessage(ctx, request.body);
      return reply.status(201).send(await presentTicket(ctx, ticket, { requesters: [requester], created: true }));
    },
  );

  app.post(
    '/api/v1/tickets/batch',
    {
      // A thousand tickets with a few KB of text each; a larger batch is a 413, split it.
      bodyLimit: 16 * 1024 * 1024,
      schema: {
        tags: ['tickets'],
        summary: `Create up to ${MAX_BATCH_TICKETS} tickets, each as POST /tickets takes it, in one transaction (all or none; an error names the item, as tickets.3.subject)`,
        body: createTicketsBatchRequest,
        response: { 201: createTicketsBatchResponse },
      },
    },
    async (request, reply) => {
      const created = await createTicketBatch(ctxOf(deps, request), request.body.tickets);
      return reply.status(201).send({ items: created.map(({ ticket, message }) => ({ id: ticket.id, number: ticket.number, requesterId: ticket.requesterId, messageId: message.id })) });
    },
  );

  app.get(
    '/api/v1/tickets/:number/messages',
    {
      schema: {
        tags: ['messages'],
        summary: 'The conversation in order, a page at a time (customers never see internal notes)',
        params: ticketNumberParams,
        querystring: listMessagesQuery,
        response: { 200: messagesPage },
      },
    },
    async (request) => {
      const ctx = ctxOf(deps, request);
      const { cursor, limit } = request.query;
      const scope = { number: request.params.number };
      const { messages, more } = await listMessagesPage(ctx, request.params.number, { after: decodeCursor('ticket-messages', cursor, isTimeIdKey, scope), limit });
      const origins = await ticketNumbersByIds(ctx, messages.map((m) => m.originalTicketId).filter((x): x is string => x !== null));
      const last = more ? messages[messages.length - 1] : undefined;
      return { items: await presentMessages(ctx, messages, origins), nextCursor: last ? encodeCursor('ticket-messages', { at: last.createdAt, id: last.id }, scope) : null };
    },
  );

  app.post(
    '/api/v1/tickets/:number/messages',
    {
      schema: {
        tags: ['messages'],
        summary: 'Post a public reply or an internal note (optionally setting the status in the same step)',
        params: ticketNumberParams,
        body: postMessageRequest,
        response: { 201: postMessageResponse },
      },
    },
    async (request, reply) => {
      const ctx = ctxOf(deps, request);
      const { message, ticket } = await postMessage(ctx, request.params.number, request.body);
      const [presented] = await presentMessages(ctx, [message], new Map());
      return reply.status(201).send({ message: presented!, ticket: await presentTicket(ctx, ticket) });
    },
  );

  app.post(
    '/api/v1/tickets/:number/merge',
    { schema: { tags: ['tickets'], summary: 'Merge other tickets into this one', params: ticketNumberParams, body: mergeRequest, response: { 200: ticketResponse } } },
    async (request) => {
      const ctx = ctxOf(deps, request);
      return presentTicket(ctx, await mergeTickets(ctx, request.params.number, request.body.sourceNumbers));
    },
  );

  app.post(
    '/api/v1/tickets/:number/split',
    {
      schema: {
        tags: ['tickets'],
        summary: 'Move chosen messages to a new ticket linked to this one',
        params: ticketNumberParams,
        body: splitRequest,
        response: { 201: z.object({ original: ticketResponse, created: ticketResponse }) },
      },
    },
    async (request, reply) => {
      const ctx = ctxOf(deps, request);
      const { original, created } = await splitTicket(ctx, request.params.number, request.body.messageIds, request.body.subject);
      return reply.status(201).send({ original: await presentTicket(ctx, original), created: await presentTicket(ctx, created) });
    },
  );

  app.post(
    '/api/v1/uploads',
    {
      config: { openapiBody: { mediaType: 'multipart/form-data', schema: multipartFileBody } },
      schema: { tags: ['messages'], summary: 'Upload a file (multipart field "file"); reference its id in attachmentIds', consumes: ['multipart/form-data'], response: { 201: attachmentResponse } },
    },
    async (request, reply) => {
      const ctx = ctxOf(deps, request);
      const file = await readUploadedFile(request, deps.config.maxAttachmentBytes);
      const attachment = await uploadAttachment(ctx, deps.blobs, { ...file, maxBytes: deps.config.maxAttachmentBytes });
      return reply.status(201).send(presentAttachment(attachment));
    },
  );

  app.get('/api/v1/attachments/:id', { schema: { tags: ['messages'], summary: 'Download an attachment', params: z.object({ id: uuid }), response: { 200: nonJsonResponse('*/*', 'The file, with its own Content-Type, as an attachment download') } } }, async (request, reply) => {
    const ctx = ctxOf(deps, request);
    const a = await findDownloadableAttachment(ctx, request.params.id);
    // Always a download, never rendered in our origin.
    return reply
      .header('content-type', a.contentType)
      .header('content-length', a.size)
      .header('content-disposition', `attachment; filename="${a.filename.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(a.filename)}`)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .send(deps.blobs.open(a.sha256));
  });
}
