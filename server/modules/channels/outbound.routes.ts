import { z } from 'zod';
import { nonJsonResponse, uuid } from '../../../contracts/common.js';
import { mailboxResponse } from '../../../contracts/mail.js';
import { mailDeliveryResponse, outboxItemResponse, outboxQuery } from '../../../contracts/mail-outbound.js';
import { ticketNumberParams } from '../../../contracts/tickets.js';
import { decodeCursor, encodeCursor, isTimeIdKey } from '../../platform/http/cursor.js';
import { ctxOf } from '../../platform/http/request-context.js';
import type { AppDeps, AppInstance } from '../../platform/http/types.js';
import type { MailConfig } from '../../platform/mail/mail-config.js';
import { ticketNumbersByIds } from '../tickets/index.js';
import { presentMailbox } from './channels.presenter.js';
import { pollMailboxNow } from './imap-poll.service.js';
import { presentDelivery, presentOutboxItem } from './outbound.presenter.js';
import { listLocalOutbox, localOutboxRaw, mailDeliveries } from './outbound.service.js';

const idParams = z.object({ id: uuid });

/** Outbound mail status, the local outbox, and "poll this IMAP mailbox now". */
export function registerOutboundMailRoutes(app: AppInstance, deps: AppDeps, mail: MailConfig): void {
  app.get(
    '/api/v1/tickets/:number/mail-deliveries',
    {
      schema: {
        tags: ['mail'],
        summary: "The ticket's outbound mail with delivery status: queued, sent, failed (with the last error), suppressed (staff)",
        params: ticketNumberParams,
        response: { 200: z.object({ items: z.array(mailDeliveryResponse) }) },
      },
    },
    async (request) => ({ items: (await mailDeliveries(ctxOf(deps, request), request.params.number)).map(presentDelivery) }),
  );

  app.get(
    '/api/v1/mail/outbox',
    {
      config: { auth: 'admin-scope' },
      schema: {
        tags: ['mail'],
        summary: 'The local outbox: mail kept because no SMTP_URL is configured, newest first, raw and rendered (admin)',
        querystring: outboxQuery,
        response: { 200: z.object({ items: z.array(outboxItemResponse), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => {
      const ctx = ctxOf(deps, request);
      const rows = await listLocalOutbox(ctx, { before: decodeCursor('outbox', request.query.cursor, isTimeIdKey), limit: request.query.limit + 1 });
      const page = rows.slice(0, request.query.limit);
      const numbers = await ticketNumbersByIds(ctx, page.map((m) => m.ticketId));
      const last = page[page.length - 1];
      return { items: await Promise.all(page.map((m) => presentOutboxItem(m, numbers))), nextCursor: rows.length > page.length && last ? encodeCursor('outbox', { at: last.queuedAt, id: last.id }) : null };
    },
  );

  app.get(
    '/api/v1/mail/outbox/:id/raw',
    { config: { auth: 'admin-scope' }, schema: { tags: ['mail'], summary: 'One outbox mail as a .eml file (admin)', params: idParams, response: { 200: nonJsonResponse('message/rfc822', 'The message as it would have gone to the relay, as a .eml download') } } },
    async (request, reply) => {
      const raw = await localOutboxRaw(ctxOf(deps, request), request.params.id);
      return reply.header('content-type', 'message/rfc822').header('content-disposition', `attachment; filename="${request.params.id}.eml"`).header('x-content-type-options', 'nosniff').send(raw);
    },
  );

  app.post(
    '/api/v1/mailboxes/:id/poll',
    {
      config: { auth: 'admin-scope' },
      schema: {
        tags: ['mail'],
        summary: "Poll the mailbox's IMAP folder now and return the mailbox with the outcome (state, last error) (admin)",
        params: idParams,
        response: { 200: mailboxResponse },
      },
    },
    async (request) => {
      const rt = { maxMailBytes: mail.maxMailBytes, timeoutMs: 90_000, batch: 500, warn: (msg: string) => request.log.warn(msg) };
      return presentMailbox(await pollMailboxNow(ctxOf(deps, request), request.params.id, rt));
    },
  );
}
