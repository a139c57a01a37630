import { z } from 'zod';
import {
  customerNotificationSettingsResponse,
  customerTemplateResponse,
  previewTemplateRequest,
  renderedPreviewResponse,
  replyPreviewRequest,
  replyPreviewResponse,
  restrictedWordsResponse,
  templateKeyParams,
  updateCustomerNotificationSettingsRequest,
  updateCustomerTemplateRequest,
  updateRestrictedWordsRequest,
} from '../../../contracts/customer-notifications.js';
import { ticketNumberParams } from '../../../contracts/tickets.js';
import { ctxOf } from '../../platform/http/request-context.js';
import type { AppDeps, AppInstance } from '../../platform/http/types.js';
import { previewReply, previewTemplate } from './customer-preview.service.js';
import {
  getCustomerNotificationSettings,
  getCustomerTemplate,
  getRestrictedWords,
  listCustomerTemplates,
  resetCustomerTemplate,
  setRestrictedWords,
  updateCustomerNotificationSettings,
  updateCustomerTemplate,
} from './customer-settings.service.js';

const BASE = '/api/v1/customer-notifications';

/** Customer mail: templates (with preview), on/off switches, the restricted-words list, and the reply preview. */
export function registerCustomerNotificationRoutes(app: AppInstance, deps: AppDeps): void {
  const tags = ['customer notifications'];
  const admin = { auth: 'admin-scope' as const };
  app.get(`${BASE}/templates`, { config: admin, schema: { tags, summary: 'Customer mail templates (Liquid): the layout and one per occasion (admin)', response: { 200: z.object({ items: z.array(customerTemplateResponse) }) } } }, async (request) => ({
    items: await listCustomerTemplates(ctxOf(deps, request)),
  }));
  app.get(`${BASE}/templates/:key`, { config: admin, schema: { tags, summary: 'One customer mail template (admin)', params: templateKeyParams, response: { 200: customerTemplateResponse } } }, async (request) =>
    getCustomerTemplate(ctxOf(deps, request), request.params.key),
  );
  app.put(
    `${BASE}/templates/:key`,
    { config: admin, schema: { tags, summary: 'Replace a template; refused with the field named if it does not parse (admin; audited)', params: templateKeyParams, body: updateCustomerTemplateRequest, response: { 200: customerTemplateResponse } } },
    async (request) => updateCustomerTemplate(ctxOf(deps, request), request.params.key, request.body),
  );
  app.delete(`${BASE}/templates/:key`, { config: admin, schema: { tags, summary: 'Back to the built-in template (admin; audited)', params: templateKeyParams, response: { 200: customerTemplateResponse } } }, async (request) =>
    resetCustomerTemplate(ctxOf(deps, request), request.params.key),
  );
  app.post(
    `${BASE}/templates/:key/preview`,
    {
      config: admin,
      schema: { tags, summary: 'Render a template (optionally with unsaved text) for a ticket or sample data, as the customer would get it (admin)', params: templateKeyParams, body: previewTemplateRequest, response: { 200: renderedPreviewResponse } },
    },
    async (request) => previewTemplate(ctxOf(deps, request), request.params.key, request.body),
  );
  app.get(`${BASE}/settings`, { config: admin, schema: { tags, summary: 'Which customer mail is sent: global switches and per-mailbox overrides (admin)', response: { 200: customerNotificationSettingsResponse } } }, async (request) =>
    getCustomerNotificationSettings(ctxOf(deps, request)),
  );
  app.patch(
    `${BASE}/settings`,
    { config: admin, schema: { tags, summary: 'Switch customer mail on or off, globally or for one mailbox (admin; audited)', body: updateCustomerNotificationSettingsRequest, response: { 200: customerNotificationSettingsResponse } } },
    async (request) => updateCustomerNotificationSettings(ctxOf(deps, request), request.body),
  );
  app.get(`${BASE}/restricted-words`, { schema: { tags, summary: 'Words and phrases flagged in reply previews (staff)', response: { 200: restrictedWordsResponse } } }, async (request) => ({
    words: await getRestrictedWords(ctxOf(deps, request)),
  }));
  app.put(
    `${BASE}/restricted-words`,
    { config: admin, schema: { tags, summary: 'Replace the restricted-words list (admin; audited)', body: updateRestrictedWordsRequest, response: { 200: restrictedWordsResponse } } },
    async (request) => ({ words: await setRestrictedWords(ctxOf(deps, request), request.body.words) }),
  );
  app.post(
    '/api/v1/tickets/:number/reply-preview',
    {
      schema: {
        tags: ['messages'],
        summary: 'The email a public reply would become (subject, HTML, text, recipients), with restricted words flagged; nothing is saved or sent (staff)',
        params: ticketNumberParams,
        body: replyPreviewRequest,
        response: { 200: replyPreviewResponse },
      },
    },
    async (request) => previewReply(ctxOf(deps, request), request.params.number, request.body),
  );
}
