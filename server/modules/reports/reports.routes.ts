import { Readable } from 'node:stream';
import { z } from 'zod';
import { nonJsonResponse } from '../../../contracts/common.js';
import { digestSettings, reportParams, reportQuery, reportResponse, updateDigestRequest } from '../../../contracts/reports.js';
import { ctxOf } from '../../platform/http/request-context.js';
import type { AppDeps, AppInstance } from '../../platform/http/types.js';
import { getDigestSettings, updateDigestSettings } from './digest.service.js';
import { reportCsvLines } from './reports-csv.js';
import { checkRollups } from './rollup-check.service.js';
import { rebuildRollups } from './rollups.service.js';
import { runReport, ticketsCsv } from './reports.service.js';

const DESCRIPTION =
  'Supervisors and admins. Days are calendar days in the account time zone (GET /api/v1/settings). Every report filters by from/to, group, agent, channel, priority, tag and any filter-language expression (q); each figure comes with `links`: a filter expression for GET /api/v1/tickets?q= that lists the tickets behind it.';

export function registerReportRoutes(app: AppInstance, deps: AppDeps): void {
  app.get(
    '/api/v1/reports/digest',
    { schema: { tags: ['reports'], summary: 'The scheduled report digest: daily or weekly, to chosen supervisors and admins (supervisors read, admins change)', response: { 200: digestSettings } } },
    async (request) => getDigestSettings(ctxOf(deps, request)),
  );
  app.patch(
    '/api/v1/reports/digest',
    { schema: { tags: ['reports'], summary: 'Change the report digest (admins)', body: updateDigestRequest, response: { 200: digestSettings } } },
    async (request) => updateDigestSettings(ctxOf(deps, request), request.body),
  );

  app.post(
    '/api/v1/reports/rollups/rebuild',
    {
      schema: {
        tags: ['reports'],
        summary: 'Rebuild the daily report rollups from the tickets and their history (admins; also done by a job when the time zone changes)',
        response: { 200: z.object({ timeZone: z.string(), tickets: z.number().int() }) },
      },
    },
    async (request) => rebuildRollups(ctxOf(deps, request)),
  );
  app.post(
    '/api/v1/reports/rollups/check',
    {
      schema: {
        tags: ['reports'],
        summary: 'Compare the rollup-backed report figures of the last 90 days with the same reports computed from the tickets and their history; rebuild on a difference (admins; it runs the live queries, so it takes a while on a large data set)',
        response: { 200: z.object({ from: z.string(), to: z.string(), mismatches: z.array(z.string()), rebuilt: z.boolean() }) },
      },
    },
    async (request) => checkRollups(ctxOf(deps, request), { repair: true }),
  );

  app.get(
    '/api/v1/reports/tickets.csv',
    {
      schema: {
        tags: ['reports'],
        summary: 'CSV of the tickets created in the range (with response and resolution times), streamed in batches',
        description: DESCRIPTION,
        querystring: reportQuery,
        produces: ['text/csv'],
        response: { 200: nonJsonResponse('text/csv', 'UTF-8 CSV with a header row, as a download') },
      },
    },
    async (request, reply) => {
      const lines = await ticketsCsv(ctxOf(deps, request), request.query);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="tickets-${request.query.from ?? 'recent'}.csv"`)
        .send(Readable.from(lines));
    },
  );

  app.get(
    '/api/v1/reports/:report',
    {
      schema: {
        tags: ['reports'],
        summary: 'A report (volume, speed, backlog, quality, agents, time, sla, csat) as tables with drill-down filters',
        description: DESCRIPTION,
        params: reportParams,
        querystring: reportQuery,
        response: { 200: reportResponse },
      },
    },
    async (request) => runReport(ctxOf(deps, request), request.params.report, request.query),
  );

  app.get(
    '/api/v1/reports/:report/csv',
    {
      schema: { tags: ['reports'], summary: 'A report as CSV (every table, its header and totals), streamed', description: DESCRIPTION, params: reportParams, querystring: reportQuery, produces: ['text/csv'], response: { 200: nonJsonResponse('text/csv', 'UTF-8 CSV, as a download') } },
    },
    async (request, reply) => {
      const report = await runReport(ctxOf(deps, request), request.params.report, request.query);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${report.report}-${report.from}-${report.to}.csv"`)
        .send(Readable.from(reportCsvLines(report)));
    },
  );
}
