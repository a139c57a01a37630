import { z } from 'zod';
import { okResponse, pageOf, uuid } from '../../../contracts/common.js';
import {
  createNoticeRequest,
  listNoticesQuery,
  listNotificationsQuery,
  noticeResponse,
  notificationResponse,
  unreadCountResponse,
  updateNoticeRequest,
} from '../../../contracts/workspace.js';
import { ctxOf } from '../../platform/http/request-context.js';
import type { AppDeps, AppInstance } from '../../platform/http/types.js';
import { changeNotice, listNotices, postNotice, presentNotices, removeNotice } from './notices.service.js';
import { listNotifications, presentNotification, readAll, readOne, unreadCount } from './notifications.service.js';
import { preferencesResponse, updatePreferencesRequest } from '../../../contracts/notification-preferences.js';
import { getPreferences, updatePreferences } from './preferences.service.js';

const idParams = z.object({ id: uuid });

export function registerNotificationRoutes(app: AppInstance, deps: AppDeps): void {
  const tags = ['notifications'];
  app.get(
    '/api/v1/notifications',
    {
      schema: {
        tags,
        summary: 'Your notifications (mentions, assignments, customer replies on your tickets): unread first, newest first, keyset-paged',
        description: 'New ones are also pushed live to the WebSocket room agent:<your id> as notification.created.',
        querystring: listNotificationsQuery,
        response: { 200: pageOf(notificationResponse) },
      },
    },
    async (request) => {
      const { cursor, limit, unread } = request.query;
      const page = await listNotifications(ctxOf(deps, request), { cursor, limit, unreadOnly: unread === 'true' });
      return { items: page.items.map(presentNotification), nextCursor: page.nextCursor };
    },
  );
  app.get('/api/v1/notifications/unread-count', { schema: { tags, summary: 'How many of your notifications are unread (the badge)', response: { 200: unreadCountResponse } } }, async (request) => ({
    unread: await unreadCount(ctxOf(deps, request)),
  }));
  app.post('/api/v1/notifications/:id/read', { schema: { tags, summary: 'Mark one notification read', params: idParams, response: { 200: notificationResponse } } }, async (request) =>
    presentNotification(await readOne(ctxOf(deps, request), request.params.id)),
  );
  app.get(
    '/api/v1/notifications/preferences',
    { schema: { tags, summary: 'Your notification preferences: per kind, in the bell (inApp) and by email', response: { 200: preferencesResponse } } },
    async (request) => getPreferences(ctxOf(deps, request)),
  );
  app.patch(
    '/api/v1/notifications/preferences',
    {
      schema: {
        tags,
        summary: 'Change your notification preferences (only the kinds and channels given)',
        description: 'Kinds: assigned, mention, customer_reply, sla_mine (SLA on tickets assigned to you), sla_group (SLA on your groups\' other tickets), callback_due, automation.',
        body: updatePreferencesRequest,
        response: { 200: preferencesResponse },
      },
    },
    async (request) => updatePreferences(ctxOf(deps, request), request.body),
  );
  app.post('/api/v1/notifications/read-all', { schema: { tags, summary: 'Mark all your notifications read', response: { 200: z.object({ updated: z.number().int() }) } } }, async (request) => ({
    updated: await readAll(ctxOf(deps, request)),
  }));
}

export function registerNoticeRoutes(app: AppInstance, deps: AppDeps): void {
  const tags = ['notice board'];
  app.get(
    '/api/v1/notices',
    { schema: { tags, summary: 'Internal notices for the top of the workspace: active ones (include=all: expired too, admins), pinned first', querystring: listNoticesQuery, response: { 200: z.object({ items: z.array(noticeResponse) }) } } },
    async (request) => {
      const ctx = ctxOf(deps, request);
      return { items: await presentNotices(ctx, await listNotices(ctx, request.query.include)) };
    },
  );
  app.post('/api/v1/notices', { config: { auth: 'admin-scope' }, schema: { tags, summary: 'Post a notice (admin)', body: createNoticeRequest, response: { 201: noticeResponse } } }, async (request, reply) => {
    const ctx = ctxOf(deps, request);
    return reply.status(201).send((await presentNotices(ctx, [await postNotice(ctx, request.body)]))[0]!);
  });
  app.patch(
    '/api/v1/notices/:id',
    { config: { auth: 'admin-scope' }, schema: { tags, summary: 'Change a notice: text, pin, expiry (admin)', params: idParams, body: updateNoticeRequest, response: { 200: noticeResponse } } },
    async (request) => {
      const ctx = ctxOf(deps, request);
      return (await presentNotices(ctx, [await changeNotice(ctx, request.params.id, request.body)]))[0]!;
    },
  );
  app.delete('/api/v1/notices/:id', { config: { auth: 'admin-scope' }, schema: { tags, summary: 'Remove a notice (admin)', params: idParams, response: { 200: okResponse } } }, async (request) => {
    await removeNotice(ctxOf(deps, request), request.params.id);
    return { ok: true as const };
  });
}
