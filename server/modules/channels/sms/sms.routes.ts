import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { nonJsonResponse } from '../../../../contracts/common.js';
import { smsMessageResponse, smsSettingsResponse, updateSmsSettingsRequest } from '../../../../contracts/sms.js';
import { ticketNumberParams } from '../../../../contracts/tickets.js';
import { systemActor } from '../../../platform/context.js';
import { AppError } from '../../../platform/errors.js';
import { ctxOf, makeCtx } from '../../../platform/http/request-context.js';
import type { AppDeps, AppInstance } from '../../../platform/http/types.js';
import type { ChannelAdapter } from './sms-adapter.js';
import { getSmsSettings, presentSmsSettings, smsSettings, SMS_INBOUND_PATH, updateSmsSettings } from './sms-settings.service.js';
import { receiveText, textsOfTicket } from './sms.service.js';
import type { SmsMessage } from './sms.repository.js';

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

const presentText = (m: SmsMessage): z.infer<typeof smsMessageResponse> => ({
  id: m.id,
  direction: m.direction,
  messageId: m.messageId,
  customerNumber: m.customerNumber,
  ourNumber: m.ourNumber,
  externalId: m.externalId,
  status: m.status,
  lastError: m.lastError,
  attempts: m.attempts,
  createdAt: m.createdAt,
});

export function registerSmsRoutes(app: AppInstance, deps: AppDeps, adapter: ChannelAdapter): void {
  // Providers post forms; the parser stays inside this plugin so other routes keep JSON only.
  void app.register(async (plugin) => {
    const scope = plugin.withTypeProvider<ZodTypeProvider>();
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 256 * 1024 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    scope.post(
      SMS_INBOUND_PATH,
      {
        config: { auth: 'public' },
        schema: {
          tags: ['sms'],
          summary: 'Inbound text from the provider (form post signed with X-Twilio-Signature); a bad signature is refused and nothing is stored',
          consumes: ['application/x-www-form-urlencoded'],
          body: z.record(z.string(), z.string()),
          response: { 200: nonJsonResponse('text/xml', 'An empty TwiML <Response/>') },
        },
      },
      async (request, reply) => {
        const ctx = makeCtx(deps, systemActor('sms'), request.id, request.ip);
        const settings = await smsSettings(ctx);
        const signature = request.headers['x-twilio-signature'];
        // The provider signs the URL it was given, which is ours as the public URL says.
        const url = `${deps.config.publicUrl}${request.url}`;
        const ok = adapter.verifySignature({ url, params: request.body, signature: typeof signature === 'string' ? signature : undefined, secret: settings.authToken });
        if (!ok) throw new AppError('signature_invalid', 'The X-Twilio-Signature header does not match this request');
        if (!settings.enabled) throw new AppError('forbidden', 'The SMS channel is switched off');
        const text = adapter.parseInbound(request.body);
        if (!text) throw new AppError('validation_failed', 'MessageSid, From and To are required', { fields: [{ path: 'body.MessageSid', message: 'required' }] });
        await receiveText(ctx, adapter, text);
        return reply.type('text/xml; charset=utf-8').send(EMPTY_TWIML);
      },
    );
  });

  app.get(
    '/api/v1/tickets/:number/texts',
    { schema: { tags: ['sms'], summary: 'Texts of a ticket with their delivery status (staff)', params: ticketNumberParams, response: { 200: z.object({ items: z.array(smsMessageResponse) }) } } },
    async (request) => ({ items: (await textsOfTicket(ctxOf(deps, request), request.params.number)).map(presentText) }),
  );
  app.get('/api/v1/channels/settings/sms', { config: { auth: 'admin-scope' }, schema: { tags: ['sms'], summary: 'SMS channel settings (admin; the auth token is write-only)', response: { 200: smsSettingsResponse } } }, async (request) =>
    presentSmsSettings(await getSmsSettings(ctxOf(deps, request)), deps.config.publicUrl),
  );
  app.patch(
    '/api/v1/channels/settings/sms',
    { config: { auth: 'admin-scope' }, schema: { tags: ['sms'], summary: 'Change SMS channel settings (admin; audited)', body: updateSmsSettingsRequest, response: { 200: smsSettingsResponse } } },
    async (request) => presentSmsSettings(await updateSmsSettings(ctxOf(deps, request), request.body), deps.config.publicUrl),
  );
}
