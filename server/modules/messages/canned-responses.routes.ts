import { z } from 'zod';
import { okResponse, uuid } from '../../../contracts/common.js';
import {
  cannedResponseResponse,
  CANNED_PLACEHOLDERS,
  createCannedResponseRequest,
  listCannedResponsesQuery,
  renderCannedResponseQuery,
  renderCannedResponseResponse,
  updateCannedResponseRequest,
} from '../../../contracts/workspace.js';
import { ctxOf } from '../../platform/http/request-context.js';
import type { AppDeps, AppInstance } from '../../platform/http/types.js';
import { createCanned, deleteCanned, getCanned, listCanned, presentCanned, renderCanned, updateCanned } from './canned-responses.service.js';

const idParams = z.object({ id: uuid });
const TAGS = ['canned responses'];

export function registerCannedResponseRoutes(app: AppInstance, deps: AppDeps): void {
  app.get(
    '/api/v1/canned-responses',
    { schema: { tags: TAGS, summary: 'Shared canned responses and your personal ones, by title; q searches title and text', querystring: listCannedResponsesQuery, response: { 200: z.object({ items: z.array(cannedResponseResponse) }) } } },
    async (request) => ({ items: (await listCanned(ctxOf(deps, request), request.query.q || undefined)).map(presentCanned) }),
  );
  app.post(
    '/api/v1/canned-responses',
    {
      schema: {
        tags: TAGS,
        summary: 'Create a canned response: personal, or shared (admins)',
        description: `The body is a Liquid template. Placeholders: ${CANNED_PLACEHOLDERS.map((p) => `{{ ${p} }}`).join(', ')}.`,
        body: createCannedResponseRequest,
        response: { 201: cannedResponseResponse },
      },
    },
    async (request, reply) => reply.status(201).send(presentCanned(await createCanned(ctxOf(deps, request), request.body))),
  );
  app.get('/api/v1/canned-responses/:id', { schema: { tags: TAGS, summary: 'One canned response', params: idParams, response: { 200: cannedResponseResponse } } }, async (request) =>
    presentCanned(await getCanned(ctxOf(deps, request), request.params.id)),
  );
  app.patch(
    '/api/v1/canned-responses/:id',
    { schema: { tags: TAGS, summary: 'Change a canned response (your own; shared ones: admins)', params: idParams, body: updateCannedResponseRequest, response: { 200: cannedResponseResponse } } },
    async (request) => presentCanned(await updateCanned(ctxOf(deps, request), request.params.id, request.body)),
  );
  app.delete('/api/v1/canned-responses/:id', { schema: { tags: TAGS, summary: 'Delete a canned response (your own; shared ones: admins)', params: idParams, response: { 200: okResponse } } }, async (request) => {
    await deleteCanned(ctxOf(deps, request), request.params.id);
    return { ok: true as const };
  });
  app.post(
    '/api/v1/canned-responses/:id/render',
    {
      schema: {
        tags: TAGS,
        summary: 'Fill the placeholders for a ticket (?ticket=N) and return the text for the composer',
        params: idParams,
        querystring: renderCannedResponseQuery,
        response: { 200: renderCannedResponseResponse },
      },
    },
    async (request) => ({ text: await renderCanned(ctxOf(deps, request), request.params.id, request.query.ticket) }),
  );
}
