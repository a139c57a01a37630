import { okResponse } from '../../../contracts/common.js';
import { ticketNumberParams } from '../../../contracts/tickets.js';
import { ctxOf } from '../../platform/http/request-context.js';
import type { AppDeps, AppInstance } from '../../platform/http/types.js';
import { deleteSpamTicket } from './spam.service.js';

export function registerSpamRoutes(app: AppInstance, deps: AppDeps): void {
  app.delete(
    '/api/v1/tickets/:number',
    {
      config: { auth: 'admin-scope' },
      schema: { tags: ['tickets'], summary: 'Delete a spam ticket for good (admin). Restore instead with PATCH {"spam": false}.', params: ticketNumberParams, response: { 200: okResponse } },
    },
    async (request) => {
      await deleteSpamTicket(ctxOf(deps, request), request.params.number);
      return { ok: true as const };
    },
  );
}
