import { z } from 'zod';
import { okResponse, uuid } from '../../../contracts/common.js';
import { ticketNumberParams } from '../../../contracts/tickets.js';
import { createTimeEntryRequest, timeEntryListResponse, timeEntryResponse, updateTimeEntryRequest } from '../../../contracts/workspace.js';
import { ctxOf } from '../../platform/http/request-context.js';
import type { AppDeps, AppInstance } from '../../platform/http/types.js';
import { changeTime, deleteTime, listTime, logTime, presentTimeEntries } from './time-entries.service.js';

export function registerTimeEntryRoutes(app: AppInstance, deps: AppDeps): void {
  app.get(
    '/api/v1/tickets/:number/time-entries',
    { schema: { tags: ['time tracking'], summary: 'Time logged on a ticket, by day of work, with the total (staff)', params: ticketNumberParams, response: { 200: timeEntryListResponse } } },
    async (request) => {
      const ctx = ctxOf(deps, request);
      const { ticket, entries } = await listTime(ctx, request.params.number);
      return { items: await presentTimeEntries(ctx, ticket.number, entries), totalMinutes: entries.reduce((n, e) => n + e.minutes, 0) };
    },
  );

  app.post(
    '/api/v1/tickets/:number/time-entries',
    {
      schema: {
        tags: ['time tracking'],
        summary: 'Log time spent on a ticket (a timer in the UI posts its result here); recorded in the ticket history',
        params: ticketNumberParams,
        body: createTimeEntryRequest,
        response: { 201: timeEntryResponse },
      },
    },
    async (request, reply) => {
      const ctx = ctxOf(deps, request);
      const entry = await logTime(ctx, request.params.number, request.body);
      return reply.status(201).send((await presentTimeEntries(ctx, request.params.number, [entry]))[0]!);
    },
  );

  app.patch(
    '/api/v1/time-entries/:id',
    { schema: { tags: ['time tracking'], summary: 'Change your own time entry (admins: any)', params: z.object({ id: uuid }), body: updateTimeEntryRequest, response: { 200: timeEntryResponse } } },
    async (request) => {
      const ctx = ctxOf(deps, request);
      const { entry, ticket } = await changeTime(ctx, request.params.id, request.body);
      return (await presentTimeEntries(ctx, ticket.number, [entry]))[0]!;
    },
  );

  app.delete(
    '/api/v1/time-entries/:id',
    { schema: { tags: ['time tracking'], summary: 'Delete your own time entry (admins: any)', params: z.object({ id: uuid }), response: { 200: okResponse } } },
    async (request) => {
      await deleteTime(ctxOf(deps, request), request.params.id);
      return { ok: true as const };
    },
  );
}
