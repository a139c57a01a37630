import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { formSettings, updateFormSettingsRequest } from '../../../../contracts/forms.js';
import { TICKET_TYPES } from '../../../../contracts/tickets.js';
import { systemActor, type Ctx } from '../../../platform/context.js';
import { AppError } from '../../../platform/errors.js';
import { ctxOf, makeCtx } from '../../../platform/http/request-context.js';
import type { AppDeps, AppInstance } from '../../../platform/http/types.js';
import { embedScript, renderFormPage, renderThanks, type FormPageState } from './form-page.js';
import { formFieldsFor, getFormSettings, issueFormStamp, keepOrIssueStamp, MAX_FORM_FILES, submitContactForm, updateFormSettings, type FormSubmission } from './form.service.js';

const pageQuery = z.object({ type: z.string().max(40).optional(), mailbox: z.string().max(254).optional(), embed: z.string().max(5).optional() });
type PageQuery = z.infer<typeof pageQuery>;

/** Only the embeddable variant may be framed by other sites; the page itself may not. */
function pageHeaders(reply: FastifyReply, embed: boolean): FastifyReply {
  return reply
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header('content-security-policy', `default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors ${embed ? '*' : "'none'"}`);
}

/** Per IP; a person sends a handful of requests an hour, a spam script many. */
const SUBMISSIONS_PER_IP = { max: 5, timeWindow: 10 * 60_000 };

async function pageState(ctx: Ctx, q: PageQuery, extra: Partial<FormPageState> = {}): Promise<FormPageState> {
  const settings = await getFormSettings(ctx);
  const type = q.type && settings.types.includes(q.type as (typeof TICKET_TYPES)[number]) ? q.type : settings.types[0]!;
  return {
    settings,
    type,
    fields: await formFieldsFor(ctx, settings, type),
    stamp: await issueFormStamp(ctx),
    mailbox: q.mailbox || undefined,
    embed: q.embed === '1',
    values: {},
    errors: [],
    notice: null,
    hadFiles: false,
    ...extra,
  };
}

/** Reads the multipart body: text fields (repeated names kept in order) and the files, in memory up to the attachment limit. */
async function readSubmission(request: FastifyRequest): Promise<{ values: Record<string, string[]>; files: FormSubmission['files']; tooBig: boolean }> {
  const values: Record<string, string[]> = {};
  const files: FormSubmission['files'] = [];
  let tooBig = false;
  if (!request.isMultipart()) throw new AppError('unsupported_media_type', 'Send the form as multipart/form-data');
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      if (!part.filename) {
        await part.toBuffer();
        continue;
      }
      try {
        const content = await part.toBuffer();
        if (files.length <= MAX_FORM_FILES) files.push({ content, filename: part.filename, contentType: part.mimetype });
      } catch {
        tooBig = true;
      }
    } else {
      // No browser sends a NUL from a text field; a script that does gets U+FFFD, which both dialects store.
      (values[part.fieldname] ??= []).push(String(part.value).slice(0, 20_000).replace(/\u0000/g, '\ufffd'));
    }
  }
  return { values, files, tooBig };
}

/** The hosted contact form `/support/new`, its embeddable frame and script, and the admin settings. */
export function registerFormRoutes(app: AppInstance, deps: AppDeps): void {
  const visitorCtx = (request: FastifyRequest) => makeCtx(deps, systemActor('web_form'), request.id, request.ip);

  app.get('/api/v1/forms/settings', { schema: { tags: ['contact form'], summary: 'Contact form settings', response: { 200: formSettings } } }, async (request) => getFormSettings(ctxOf(deps, request)));
  app.patch(
    '/api/v1/forms/settings',
    { config: { auth: 'admin-scope' }, schema: { tags: ['contact form'], summary: 'Change the contact form: types offered and custom fields per type (admins)', body: updateFormSettingsRequest, response: { 200: formSettings } } },
    async (request) => updateFormSettings(ctxOf(deps, request), request.body),
  );

  app.get('/support/embed.js', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').header('x-content-type-options', 'nosniff').send(embedScript()),
  );

  app.get('/support/new', { schema: { hide: true, querystring: pageQuery } }, async (request, reply) => {
    const state = await pageState(visitorCtx(request), request.query);
    return pageHeaders(reply, state.embed).send(renderFormPage(state));
  });

  app.post(
    '/support/new',
    {
      schema: { hide: true, querystring: pageQuery },
      // As a preHandler (not onRequest) so the refused form's text can still be read and shown back.
      preHandler: app.rateLimit(SUBMISSIONS_PER_IP),
      // Refusals are pages too: the visitor sees what went wrong next to what they typed.
      errorHandler: async (error, request, reply) => {
        const q = request.query as PageQuery;
        let values = (request as { formValues?: Record<string, string[]> }).formValues;
        let hadFiles = Boolean((request as { hadFiles?: boolean }).hadFiles);
        if (!values) {
          // Refused before the body was read (the rate limit): read it now, so the text comes back.
          const read = await readSubmission(request).catch(() => undefined);
          values = read?.values ?? {};
          hadFiles = Boolean(read && (read.files.length > 0 || read.tooBig));
        }
        const err = error as Error & { statusCode?: number; code?: string; details?: { fields?: { path: string; message: string }[] } };
        const status = err instanceof AppError ? err.status : (err.statusCode ?? 500);
        if (status >= 500) request.log.error({ err }, 'contact form failed');
        const notice =
          status === 429
            ? 'Too many requests were sent from your network. Wait a few minutes and send the form again.'
            : err instanceof AppError && err.code !== 'validation_failed'
              ? err.message
              : status >= 500
                ? 'Something went wrong on our side. Your text is kept below; please send it again.'
                : null;
        const errors = err instanceof AppError ? (err.details as { fields?: { path: string; message: string }[] } | undefined)?.fields ?? [] : [];
        const ctx = visitorCtx(request);
        const state = await pageState(ctx, { ...q, type: values.type?.[0] ?? q.type }, { values, errors, notice, hadFiles, stamp: await keepOrIssueStamp(ctx, values.stamp?.[0]) });
        return pageHeaders(reply.status(status), state.embed).send(renderFormPage(state));
      },
    },
    async (request, reply) => {
      const { values, files, tooBig } = await readSubmission(request);
      Object.assign(request, { formValues: values, hadFiles: files.length > 0 || tooBig });
      if (tooBig) throw new AppError('validation_failed', 'A file is too large', { fields: [{ path: 'files', message: `each file may be at most ${Math.round(deps.config.maxAttachmentBytes / 1024 / 1024)} MB` }] });
      const one = (k: string) => values[k]?.[0] ?? '';
      const custom = Object.fromEntries(Object.entries(values).flatMap(([k, v]) => (k.startsWith('cf_') ? [[k.slice(3), v]] : [])));
      const q = request.query;
      const { ticketNumber } = await submitContactForm(visitorCtx(request), deps.blobs, deps.config.maxAttachmentBytes, {
        type: one('type') || q.type || '',
        name: one('name'),
        email: one('email'),
        subject: one('subject'),
        message: one('message'),
        custom,
        honeypot: one('website'),
        stamp: one('stamp'),
        mailbox: q.mailbox || undefined,
        files,
      });
      const settings = await getFormSettings(visitorCtx(request));
      return pageHeaders(reply.status(201), q.embed === '1').send(renderThanks(settings.title, ticketNumber, one('email').trim()));
    },
  );
}
