import { z } from 'zod';
import { renameTagRequest, tagChangeResponse, tagParams, tagResponse } from '../../../contracts/tickets.js';
import { ctxOf } from '../../platform/http/request-context.js';
import type { AppDeps, AppInstance } from '../../platform/http/types.js';
import { deleteTag, listTags, renameTag } from './tags.service.js';

export function registerTagRoutes(app: AppInstance, deps: AppDeps): void {
  const tags = ['tags'];
  const admin = { auth: 'admin-scope' as const };
  app.get('/api/v1/tags', { schema: { tags, summary: 'Every tag in use with its ticket count (staff)', response: { 200: z.object({ items: z.array(tagResponse) }) } } }, async (request) => ({
    items: await listTags(ctxOf(deps, request)),
  }));
  app.patch(
    '/api/v1/tags/:tag',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Rename a tag on every ticket, merging into an existing tag of the new name (admin; audited)',
        description: 'Each changed ticket gets a tags_changed event and a ticket.updated event; all tickets change in one transaction or none does.',
        params: tagParams,
        body: renameTagRequest,
        response: { 200: tagChangeResponse },
      },
    },
    async (request) => renameTag(ctxOf(deps, request), request.params.tag, request.body.name),
  );
  app.delete(
    '/api/v1/tags/:tag',
    { config: admin, schema: { tags, summary: 'Remove a tag from every ticket (admin; audited)', params: tagParams, response: { 200: tagChangeResponse } } },
    async (request) => deleteTag(ctxOf(deps, request), request.params.tag),
  );
}
