import type { EventPayload } from '../../../contracts/events.js';
import type { Realtime } from '../../platform/realtime/realtime.js';
import { countUnread, findNotifications } from './notifications.repository.js';
import { presentNotification } from './notifications.service.js';

/** The bell rings live: a new notification (with the unread count) goes to the agent's own room. */
export function registerNotificationRealtime(realtime: Realtime): void {
  // A run (a batch create's assignments, say) counts each agent's unread once.
  realtime.projectRun('notification.created', async (events, db) => {
    const found = new Map((await findNotifications(db, events.map((e) => (e.payload as EventPayload<'notification.created'>).notificationId))).map((n) => [n.id, n]));
    const unread = new Map<string, number>();
    for (const n of found.values()) if (!unread.has(n.userId)) unread.set(n.userId, await countUnread(db, n.userId));
    return events.map((event) => {
      const n = found.get((event.payload as EventPayload<'notification.created'>).notificationId);
      if (!n) return [];
      return [{ rooms: [`agent:${n.userId}`], event: event.name, data: { notification: presentNotification(n), unreadCount: unread.get(n.userId)! }, staffOnly: true }];
    });
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
