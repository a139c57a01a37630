import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { uuidv7 } from './platform/ids.js';
import { installAuthHook } from './platform/http/auth-hook.js';
import { clientErrors, frameworkErrors, installErrorHandling } from './platform/http/error-handler.js';
import { installTextGuard } from './platform/http/text-guard.js';
import { openApiTransform, openApiTransformObject } from './platform/http/openapi.js';
import { registerStaticWeb } from './platform/http/static-web.js';
import type { AppDeps, AppInstance } from './platform/http/types.js';
import { authenticate, registerAuthRoutes, registerUserRoutes } from './modules/auth/index.js';
import { registerContactRoutes } from './modules/contacts/index.js';
import { registerDashboardRoutes, registerTicketRoutes, registerTimeEntryRoutes } from './modules/tickets/index.js';
import { registerCannedResponseRoutes, registerCollisionRoutes, registerImportRoutes, registerMessageRoutes, registerSpamRoutes } from './modules/messages/index.js';
import { registerChannelRoutes, registerChatRoutes, registerFormRoutes, registerMessagingChannelRoutes } from './modules/channels/index.js';
import { registerCustomerNotificationRoutes, registerNoticeRoutes, registerNotificationRoutes } from './modules/notifications/index.js';
import { registerRealtimeRoutes } from './platform/realtime/realtime.routes.js';
import { registerSlaRoutes } from './modules/sla/index.js';
import { registerAutomationRoutes } from './modules/automations/index.js';
import { registerTransferRoutes, registerWebhookRoutes } from './modules/integrations/index.js';
import { registerCsatRoutes } from './modules/csat/index.js';
import { registerReportRoutes } from './modules/reports/index.js';

export type { AppDeps } from './platform/http/types.js';

/** Builds the HTTP application without listening; tests drive it with inject(). */
export async function buildApp(deps: AppDeps, opts: { logger?: FastifyServerOptions['logger'] } = {}): Promise<AppInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    genReqId: () => uuidv7(),
    bodyLimit: 2 * 1024 * 1024,
    trustProxy: false,
    frameworkErrors,
    clientErrorHandler: clientErrors,
  }).withTypeProvider<ZodTypeProvider>();
  // A JSON API: a JSON body labelled text/plain is a 415 as any other type is (routes taking other
  // types add their parsers), and an empty body labelled JSON is no body: many clients send the
  // header on every request, DELETE included.
  app.removeContentTypeParser(['text/plain', 'application/json']);
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => (body === '' ? done(null, undefined) : parseJson(request, body as string, done)));
  // Unknown query parameters are refused as unknown body fields are: `?status=open` on a list that
  // filters with `q` would otherwise answer every ticket, and a misspelt parameter nothing at all.
  app.setValidatorCompiler((route: Parameters<typeof validatorCompiler>[0]) => validatorCompiler(route.httpPart === 'querystring' && route.schema instanceof z.ZodObject ? { ...route, schema: route.schema.strict() } : route));
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);

  await app.register(cookie);
  await app.register(multipart, { limits: { fileSize: deps.config.maxAttachmentBytes, files: 20, fields: 50 } });
  // Only routes that opt in (sign-in, a password change's check of the current one) are limited; everything else is unlimited by default.
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Tessera API', version: deps.version, description: 'Help desk REST API. Authenticate with a session cookie (browsers, plus X-CSRF-Token on writes) or `Authorization: Bearer <token>`.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: 'tessera_session' } } },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: openApiTransform,
    transformObject: openApiTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  installAuthHook(app, deps, authenticate);
  installTextGuard(app);

  app.get('/api/v1/openapi.json', { config: { auth: 'public' }, schema: { hide: true } }, async () => app.swagger());
  app.get(
    '/api/health',
    {
      config: { auth: 'public' },
      schema: { tags: ['system'], summary: 'Liveness and database check', response: { 200: z.object({ status: z.literal('ok'), db: z.enum(['sqlite', 'postgres']), version: z.string() }) } },
    },
    async () => {
      await deps.database.db.selectNoFrom((eb) => eb.val(1).as('one')).execute();
      return { status: 'ok' as const, db: deps.database.dialect, version: deps.version };
    },
  );

  registerAuthRoutes(app, deps);
  registerUserRoutes(app, deps);
  registerContactRoutes(app, deps);
  registerTicketRoutes(app, deps);
  registerMessageRoutes(app, deps);
  registerImportRoutes(app, deps);
  registerSpamRoutes(app, deps);
  registerChannelRoutes(app, deps);
  registerMessagingChannelRoutes(app, deps);
  registerTimeEntryRoutes(app, deps);
  registerDashboardRoutes(app, deps);
  registerCannedResponseRoutes(app, deps);
  registerCollisionRoutes(app, deps);
  registerNotificationRoutes(app, deps);
  registerNoticeRoutes(app, deps);
  registerCustomerNotificationRoutes(app, deps);
  registerSlaRoutes(app, deps);
  registerWebhookRoutes(app, deps);
  registerTransferRoutes(app, deps);
  registerCsatRoutes(app, deps);
  registerReportRoutes(app, deps);
  registerAutomationRoutes(app, deps);
  await registerRealtimeRoutes(app, deps, authenticate);
  // Chat's visitor socket needs the WebSocket plugin the realtime routes register.
  registerChatRoutes(app, deps);
  registerFormRoutes(app, deps);

  // The agent workspace (web/dist) at / with an SPA fallback for every non-API path.
  await registerStaticWeb(app);
  return app;
}
