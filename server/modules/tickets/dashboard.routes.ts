import { dashboardResponse } from '../../../contracts/workspace.js';
import { ctxOf } from '../../platform/http/request-context.js';
import type { AppDeps, AppInstance } from '../../platform/http/types.js';
import { getDashboard } from './dashboard.service.js';

export function registerDashboardRoutes(app: AppInstance, deps: AppDeps): void {
  app.get(
    '/api/v1/dashboard',
    {
      schema: {
        tags: ['workspace'],
        summary: 'Mini dashboard: created and resolved today, in progress, waiting, unassigned, share resolved within 24 h (last 7 days), for me and everyone',
        description: '"Today" is the calendar day in the installation time zone (GET /api/v1/settings → timeZone). Spam is left out; merged tickets do not count as resolved.',
        response: { 200: dashboardResponse },
      },
    },
    async (request) => getDashboard(ctxOf(deps, request)),
  );
}
