import { collisionQuery, collisionResponse } from '../../../contracts/realtime.js';
import { ticketNumberParams } from '../../../contracts/tickets.js';
import { ctxOf } from '../../platform/http/request-context.js';
import type { AppDeps, AppInstance } from '../../platform/http/types.js';
import { realtimeOf } from '../../platform/realtime/realtime.js';
import { checkCollision } from './collision.service.js';

export function registerCollisionRoutes(app: AppInstance, deps: AppDeps): void {
  app.get(
    '/api/v1/tickets/:number/collision',
    {
      schema: {
        tags: ['messages'],
        summary: 'Before sending: what others wrote since `since` (when you opened the ticket) and who is viewing or replying now',
        params: ticketNumberParams,
        querystring: collisionQuery,
        response: { 200: collisionResponse },
      },
    },
    async (request) => checkCollision(ctxOf(deps, request), request.params.number, request.query.since, realtimeOf(deps.events).presenceOf(request.params.number)),
  );
}
