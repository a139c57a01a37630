import type { EventPayload } from '../../../contracts/events.js';
import type { Realtime } from '../../platform/realtime/realtime.js';
import { countUnread, findNotification } from './notifications.repository.js';
import { presentNotification } from './notifications.service.js';

/** The bell rings live: a new notification (with the unread count) goes to the agent's own room. */
export function registerNotificationRealtime(realtime: Realtime): void {
  realtime.project('notification.created', async (event, db) => {
    const p = event.payload as EventPayload<'notification.created'>;
    const n = await findNotification(db, p.notificationId);
    if (!n) return [];
    const data = { notification: presentNotification(n), unreadCount: await countUnread(db, n.userId) };
    return [{ rooms: [`agent:${n.userId}`], event: event.name, data, staffOnly: true }];
  });

  // Another tab (or device) of the same agent read something: its badge follows.
  realtime.project('notification.read', async (event, db) => {
    const p = event.payload as EventPayload<'notification.read'>;
    return [{ rooms: [`agent:${p.userId}`], event: event.name, data: { unreadCount: await countUnread(db, p.userId) }, staffOnly: true }];
  });

  realtime.project('notice.changed', (event) => {
    const p = event.payload as EventPayload<'notice.changed'>;
    return [{ rooms: ['queue'], event: event.name, data: { noticeId: p.noticeId }, staffOnly: true }];
  });
}
