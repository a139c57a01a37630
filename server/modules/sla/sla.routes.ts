import { z } from 'zod';
import { okResponse, uuid } from '../../../contracts/common.js';
import {
  applyPolicyRequest,
  calendarResponse,
  createCalendarRequest,
  createPolicyRequest,
  policyResponse,
  ticketSlaResponse,
  updateCalendarRequest,
  updatePolicyRequest,
} from '../../../contracts/sla.js';
import { ticketNumberParams } from '../../../contracts/tickets.js';
import { ctxOf } from '../../platform/http/request-context.js';
import type { AppDeps, AppInstance } from '../../platform/http/types.js';
import { requireAdmin } from '../auth/index.js';
import { createCalendar, deleteCalendar, getCalendar, listCalendars, presentCalendar, updateCalendar } from './calendars.service.js';
import { createPolicy, deletePolicy, getPolicy, listPolicies, presentPolicy, updatePolicy } from './policies.service.js';
import { sweepSla } from './sla-sweep.job.js';
import { applySlaPolicyByNumber, getTicketSla } from './ticket-sla.service.js';

const idParams = z.object({ id: uuid });
const admin = { auth: 'admin-scope' as const };

export function registerSlaRoutes(app: AppInstance, deps: AppDeps): void {
  const tags = ['sla'];
  app.get('/api/v1/sla/calendars', { config: admin, schema: { tags, summary: 'Business-hours calendars (admin)', response: { 200: z.object({ items: z.array(calendarResponse) }) } } }, async (request) => ({
    items: (await listCalendars(ctxOf(deps, request))).map(presentCalendar),
  }));
  app.get('/api/v1/sla/calendars/:id', { config: admin, schema: { tags, summary: 'One business-hours calendar (admin)', params: idParams, response: { 200: calendarResponse } } }, async (request) => {
    const ctx = ctxOf(deps, request);
    requireAdmin(ctx.actor);
    return presentCalendar(await getCalendar(ctx, request.params.id));
  });
  app.post(
    '/api/v1/sla/calendars',
    {
      config: admin,
      schema: { tags, summary: 'Create a calendar: IANA time zone, weekly hours (HH:MM windows per weekday), holidays (local dates) (admin)', body: createCalendarRequest, response: { 201: calendarResponse } },
    },
    async (request, reply) => reply.status(201).send(presentCalendar(await createCalendar(ctxOf(deps, request), request.body))),
  );
  app.patch(
    '/api/v1/sla/calendars/:id',
    { config: admin, schema: { tags, summary: 'Change a calendar; due times of tickets on it move (admin)', params: idParams, body: updateCalendarRequest, response: { 200: calendarResponse } } },
    async (request) => presentCalendar(await updateCalendar(ctxOf(deps, request), request.params.id, request.body)),
  );
  app.delete('/api/v1/sla/calendars/:id', { config: admin, schema: { tags, summary: 'Delete an unused calendar (admin)', params: idParams, response: { 200: okResponse } } }, async (request) => {
    await deleteCalendar(ctxOf(deps, request), request.params.id);
    return { ok: true as const };
  });

  app.get('/api/v1/sla/policies', { config: admin, schema: { tags, summary: 'SLA policies in evaluation order (admin)', response: { 200: z.object({ items: z.array(policyResponse) }) } } }, async (request) => ({
    items: (await listPolicies(ctxOf(deps, request))).map(presentPolicy),
  }));
  app.get('/api/v1/sla/policies/:id', { config: admin, schema: { tags, summary: 'One SLA policy (admin)', params: idParams, response: { 200: policyResponse } } }, async (request) => {
    const ctx = ctxOf(deps, request);
    requireAdmin(ctx.actor);
    return presentPolicy(await getPolicy(ctx, request.params.id));
  });
  app.post(
    '/api/v1/sla/policies',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Create an SLA policy: condition (filter language), per-priority targets in minutes, business or calendar time (admin)',
        description: 'Policies are tried in order of position (then age); the first whose condition holds applies. The seeded "Default" policy (position 1000, empty condition) catches the rest.',
        body: createPolicyRequest,
        response: { 201: policyResponse },
      },
    },
    async (request, reply) => reply.status(201).send(presentPolicy(await createPolicy(ctxOf(deps, request), request.body))),
  );
  app.patch(
    '/api/v1/sla/policies/:id',
    { config: admin, schema: { tags, summary: 'Change an SLA policy; tickets under it are re-timed (admin)', params: idParams, body: updatePolicyRequest, response: { 200: policyResponse } } },
    async (request) => presentPolicy(await updatePolicy(ctxOf(deps, request), request.params.id, request.body)),
  );
  app.delete('/api/v1/sla/policies/:id', { config: admin, schema: { tags, summary: 'Delete an SLA policy; its tickets are matched again (admin)', params: idParams, response: { 200: okResponse } } }, async (request) => {
    await deletePolicy(ctxOf(deps, request), request.params.id);
    return { ok: true as const };
  });
  app.post(
    '/api/v1/sla/sweep',
    { config: admin, schema: { tags, summary: 'Run the SLA sweep now: warnings and breaches that are due (admin)', response: { 200: z.object({ warned: z.number().int(), breached: z.number().int() }) } } },
    async (request) => {
      const ctx = ctxOf(deps, request);
      requireAdmin(ctx.actor);
      return sweepSla(ctx);
    },
  );

  app.get('/api/v1/tickets/:number/sla', { schema: { tags, summary: "A ticket's SLA: policy, targets with due, met, warned and breached times (staff)", params: ticketNumberParams, response: { 200: ticketSlaResponse } } }, async (request) =>
    getTicketSla(ctxOf(deps, request), request.params.number),
  );
  app.post(
    '/api/v1/tickets/:number/sla',
    { schema: { tags, summary: 'Apply an SLA policy to a ticket and keep it (supervisor, admin)', params: ticketNumberParams, body: applyPolicyRequest, response: { 200: ticketSlaResponse } } },
    async (request) => {
      const ctx = ctxOf(deps, request);
      await applySlaPolicyByNumber(ctx, request.params.number, request.body.policyId);
      return getTicketSla(ctx, request.params.number);
    },
  );
}
