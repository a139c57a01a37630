import { z } from 'zod';
import { okResponse, pageOf, uuid } from '../../../contracts/common.js';
import {
  bulkUpdateRequest,
  bulkUpdateResponse,
  createCustomFieldRequest,
  createViewRequest,
  customFieldResponse,
  filterFieldsResponse,
  listEventsQuery,
  listTicketsQuery,
  searchQuery,
  ticketEventResponse,
  ticketNumberParams,
  ticketResponse,
  updateCustomFieldRequest,
  updateTicketRequest,
  updateViewRequest,
  savedViewParams,
  viewResponse,
} from '../../../contracts/tickets.js';
import { contactSearchText, getContact } from '../contacts/index.js';
import { decodeCursor, encodeCursor, isTimeIdKey } from '../../platform/http/cursor.js';
import { ctxOf } from '../../platform/http/request-context.js';
import type { AppDeps, AppInstance } from '../../platform/http/types.js';
import { bulkUpdate } from './bulk.service.js';
import { createCustomField, listCustomFields, updateCustomField } from './custom-fields.service.js';
import { registerTagRoutes } from './tags.routes.js';
import { listEvents } from './ticket-history.service.js';
import { contactTickets, describeFilter, listTickets, searchTickets } from './ticket-queries.service.js';
import { presentEvent, presentTicket, presentTickets } from './tickets.presenter.js';
import { getTicket, updateTicket } from './tickets.service.js';
import { createView, deleteView, listViews, updateView } from './views.service.js';

export function registerTicketRoutes(app: AppInstance, deps: AppDeps): void {
  registerTagRoutes(app, deps);
  app.get(
    '/api/v1/tickets',
    {
      schema: {
        tags: ['tickets'],
        summary: 'List tickets: a view, a filter expression (q) or both, keyset-paginated',
        description: 'q uses the filter language, e.g. `status:open,in_progress priority>=high assignee:me -tag:spam group:billing created>7d "refund"`. See GET /api/v1/tickets/filter-fields.',
        querystring: listTicketsQuery,
        response: { 200: pageOf(ticketResponse) },
      },
    },
    async (request) => {
      const ctx = ctxOf(deps, request);
      const page = await listTickets(ctx, request.query);
      return { items: await presentTickets(ctx, page.tickets), nextCursor: page.nextCursor };
    },
  );

  app.get('/api/v1/tickets/filter-fields', { schema: { tags: ['tickets'], summary: 'Fields, operators and values of the filter language, custom fields included (for autocomplete)', response: { 200: filterFieldsResponse } } }, async (request) =>
    describeFilter(ctxOf(deps, request)),
  );

  app.get(
    '/api/v1/search',
    { schema: { tags: ['tickets'], summary: 'Full-text search over subjects, messages and requesters, combinable with filters; newest match first', querystring: searchQuery, response: { 200: pageOf(ticketResponse) } } },
    async (request) => {
      const ctx = ctxOf(deps, request);
      const page = await searchTickets(ctx, request.query);
      return { items: await presentTickets(ctx, page.tickets), nextCursor: page.nextCursor };
    },
  );

  app.get('/api/v1/tickets/:number', { schema: { tags: ['tickets'], summary: 'Get a ticket by number', params: ticketNumberParams, response: { 200: ticketResponse } } }, async (request) => {
    const ctx = ctxOf(deps, request);
    return presentTicket(ctx, await getTicket(ctx, request.params.number));
  });

  app.patch(
    '/api/v1/tickets/:number',
    {
      schema: {
        tags: ['tickets'],
        summary: 'Update status, priority, type, assignee, group, tags, custom fields, spam or your star',
        description:
          'Assigning an open ticket moves it to in_progress. Status moves are checked (409 invalid_transition lists the allowed ones). A closed ticket is final: any change but the spam flag and your star is a 409 ticket_closed.',
        params: ticketNumberParams,
        body: updateTicketRequest,
        response: { 200: ticketResponse },
      },
    },
    async (request) => {
      const ctx = ctxOf(deps, request);
      const ticket = await updateTicket(ctx, request.params.number, request.body, async (tx, t) => {
        return contactSearchText(await getContact({ ...tx, actor: { type: 'system', name: 'index' } }, t.requesterId));
      });
      return presentTicket(ctx, ticket);
    },
  );

  app.get(
    '/api/v1/tickets/:number/events',
    {
      schema: {
        tags: ['tickets'],
        summary: 'The ticket history (append-only events), filtered by action and date range',
        description: 'Events with from <= at <= to: both ends are inclusive, so an event\'s exact `at` as from and to finds it. A from later than to is refused (400, querystring.from), compared at the precision given even beyond the millisecond events are stored to.',
        params: ticketNumberParams,
        querystring: listEventsQuery,
        response: { 200: pageOf(ticketEventResponse) },
      },
    },
    async (request) => {
      const { cursor, action, from, to, limit } = request.query;
      const scope = { number: request.params.number, action: action ?? null, from: from ?? null, to: to ?? null };
      const events = await listEvents(ctxOf(deps, request), request.params.number, {
        actions: action,
        from,
        to,
        after: decodeCursor('ticket-events', cursor, isTimeIdKey, scope),
        limit,
      });
      const last = events.length === limit ? events[events.length - 1] : undefined;
      return { items: events.map(presentEvent), nextCursor: last ? encodeCursor('ticket-events', { at: last.at, id: last.id }, scope) : null };
    },
  );

  app.post(
    '/api/v1/tickets/bulk',
    { schema: { tags: ['tickets'], summary: 'Update many tickets in one transaction (all or nothing)', body: bulkUpdateRequest, response: { 200: bulkUpdateResponse } } },
    async (request) => ({ updated: await bulkUpdate(ctxOf(deps, request), request.body) }),
  );

  app.get(
    '/api/v1/contacts/:id/tickets',
    { schema: { tags: ['contacts'], summary: "A contact's history: all their tickets, newest first", params: z.object({ id: uuid }), response: { 200: z.object({ items: z.array(ticketResponse) }) } } },
    async (request) => {
      const ctx = ctxOf(deps, request);
      return { items: await presentTickets(ctx, await contactTickets(ctx, request.params.id)) };
    },
  );

  app.get('/api/v1/custom-fields', { schema: { tags: ['custom fields'], summary: 'Custom ticket fields', response: { 200: z.object({ items: z.array(customFieldResponse) }) } } }, async (request) => ({
    items: (await listCustomFields(ctxOf(deps, request))).map(({ createdAt: _c, updatedAt: _u, ...f }) => f) as z.infer<typeof customFieldResponse>[],
  }));
  app.post(
    '/api/v1/custom-fields',
    { config: { auth: 'admin-scope' }, schema: { tags: ['custom fields'], summary: 'Define a custom field (admin)', body: createCustomFieldRequest, response: { 201: customFieldResponse } } },
    async (request, reply) => {
      const { createdAt: _c, updatedAt: _u, ...f } = await createCustomField(ctxOf(deps, request), request.body);
      return reply.status(201).send(f as z.infer<typeof customFieldResponse>);
    },
  );
  app.patch(
    '/api/v1/custom-fields/:id',
    { config: { auth: 'admin-scope' }, schema: { tags: ['custom fields'], summary: 'Change or deactivate a custom field (admin)', params: z.object({ id: uuid }), body: updateCustomFieldRequest, response: { 200: customFieldResponse } } },
    async (request) => {
      const { createdAt: _c, updatedAt: _u, ...f } = await updateCustomField(ctxOf(deps, request), request.params.id, request.body);
      return f as z.infer<typeof customFieldResponse>;
    },
  );

  app.get(
    '/api/v1/views',
    { schema: { tags: ['views'], summary: 'Predefined and saved views with their ticket counts', querystring: z.object({ counts: z.enum(['true', 'false']).default('true') }), response: { 200: z.object({ items: z.array(viewResponse) }) } } },
    async (request) => ({ items: await listViews(ctxOf(deps, request), { counts: request.query.counts === 'true' }) }),
  );
  app.post('/api/v1/views', { schema: { tags: ['views'], summary: 'Save a view (personal, or shared by supervisors/admins)', body: createViewRequest, response: { 201: viewResponse } } }, async (request, reply) =>
    reply.status(201).send(await createView(ctxOf(deps, request), request.body)),
  );
  app.patch('/api/v1/views/:id', { schema: { tags: ['views'], summary: 'Change a saved view', params: savedViewParams, body: updateViewRequest, response: { 200: viewResponse } } }, async (request) =>
    updateView(ctxOf(deps, request), request.params.id, request.body),
  );
  app.delete('/api/v1/views/:id', { schema: { tags: ['views'], summary: 'Delete a saved view', params: savedViewParams, response: { 200: okResponse } } }, async (request) => {
    await deleteView(ctxOf(deps, request), request.params.id);
    return { ok: true as const };
  });
}
