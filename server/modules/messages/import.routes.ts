import { importTicketsRequest, importTicketsResponse } from '../../../contracts/import.js';
import { ctxOf } from '../../platform/http/request-context.js';
import type { AppDeps, AppInstance } from '../../platform/http/types.js';
import { importTickets } from './import.service.js';

export function registerImportRoutes(app: AppInstance, deps: AppDeps): void {
  app.post(
    '/api/v1/import/tickets',
    {
      config: { auth: 'admin-scope' },
      bodyLimit: 50 * 1024 * 1024,
      schema: {
        tags: ['admin'],
        summary: 'Import historical tickets with their original timestamps (admin; all or nothing per request; tickets whose externalId was imported before are skipped)',
        body: importTicketsRequest,
        // 200 when every ticket was skipped (a retried batch): nothing was created.
        response: { 201: importTicketsResponse, 200: importTicketsResponse },
      },
    },
    async (request, reply) => {
      const answer = await importTickets(ctxOf(deps, request), request.body.tickets);
      return reply.status(answer.imported.length > 0 ? 201 : 200).send(answer);
    },
  );
}
