import { z } from 'zod';
import { okResponse } from '../../../contracts/common.js';
import {
  createWebhookRequest,
  integrationSettingsResponse,
  updateIntegrationSettingsRequest,
  updateWebhookRequest,
  webhookDeliveryResponse,
  webhookIdParams,
  webhookResponse,
} from '../../../contracts/integrations.js';
import { ctxOf } from '../../platform/http/request-context.js';
import type { AppDeps, AppInstance } from '../../platform/http/types.js';
import {
  createWebhook,
  deleteWebhook,
  getIntegrationSettings,
  getWebhook,
  listWebhooks,
  sendTestDelivery,
  updateIntegrationSettings,
  updateWebhook,
  webhookDeliveries,
} from './webhooks.service.js';

const BASE = '/api/v1/integrations';

/** Outgoing webhooks (admin): CRUD, the delivery log, a test send, and the private-target switch. */
export function registerWebhookRoutes(app: AppInstance, deps: AppDeps): void {
  const tags = ['integrations'];
  const config = { auth: 'admin-scope' as const };
  app.get(`${BASE}/webhooks`, { config, schema: { tags, summary: 'Outgoing webhooks (admin)', response: { 200: z.object({ items: z.array(webhookResponse) }) } } }, async (request) => ({
    items: await listWebhooks(ctxOf(deps, request)),
  }));
  app.post(
    `${BASE}/webhooks`,
    { config, schema: { tags, summary: 'Create a webhook; refused for private targets unless allowed (admin; audited)', body: createWebhookRequest, response: { 201: webhookResponse } } },
    async (request, reply) => reply.code(201).send(await createWebhook(ctxOf(deps, request), request.body)),
  );
  app.get(`${BASE}/webhooks/:id`, { config, schema: { tags, summary: 'One webhook (admin)', params: webhookIdParams, response: { 200: webhookResponse } } }, async (request) =>
    getWebhook(ctxOf(deps, request), request.params.id),
  );
  app.patch(`${BASE}/webhooks/:id`, { config, schema: { tags, summary: 'Change a webhook (admin; audited)', params: webhookIdParams, body: updateWebhookRequest, response: { 200: webhookResponse } } }, async (request) =>
    updateWebhook(ctxOf(deps, request), request.params.id, request.body),
  );
  app.delete(`${BASE}/webhooks/:id`, { config, schema: { tags, summary: 'Delete a webhook and its log (admin; audited)', params: webhookIdParams, response: { 200: okResponse } } }, async (request) => {
    await deleteWebhook(ctxOf(deps, request), request.params.id);
    return { ok: true as const };
  });
  app.get(
    `${BASE}/webhooks/:id/deliveries`,
    {
      config,
      schema: { tags, summary: 'Delivery log, newest attempt first (admin)', params: webhookIdParams, querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }), response: { 200: z.object({ items: z.array(webhookDeliveryResponse) }) } },
    },
    async (request) => ({ items: await webhookDeliveries(ctxOf(deps, request), request.params.id, request.query.limit) }),
  );
  app.post(
    `${BASE}/webhooks/:id/test`,
    { config, schema: { tags, summary: 'Send a webhook.test event now and return the logged attempt (admin)', params: webhookIdParams, response: { 200: webhookDeliveryResponse } } },
    async (request) => sendTestDelivery(ctxOf(deps, request), request.params.id),
  );
  app.get(`${BASE}/settings`, { config, schema: { tags, summary: 'Integration settings (admin)', response: { 200: integrationSettingsResponse } } }, async (request) =>
    getIntegrationSettings(ctxOf(deps, request)),
  );
  app.patch(
    `${BASE}/settings`,
    { config, schema: { tags, summary: 'Allow or refuse private targets (admin; audited)', body: updateIntegrationSettingsRequest, response: { 200: integrationSettingsResponse } } },
    async (request) => updateIntegrationSettings(ctxOf(deps, request), request.body),
  );
}
