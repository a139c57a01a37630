import { z } from 'zod';
import { isoDateTime, uuid } from './common.js';

/**
 * The WebSocket protocol of `GET /api/v1/ws` (a browser authenticates with its session cookie,
 * a script with `?token=<API token>`). Every frame is one JSON object with a `type`.
 *
 * Rooms: `agent:<own user id>`, `group:<id>` (members), `ticket:<number>` (tickets the caller may
 * see), `queue` (staff who are not restricted to their groups). Events carry just enough for the
 * UI to invalidate its queries; details are fetched over REST.
 */
export const ROOM_PATTERN = /^(queue|agent:[0-9a-f-]{36}|group:[0-9a-f-]{36}|ticket:[1-9][0-9]{0,14})$/;
export const roomName = z.string().regex(ROOM_PATTERN, 'must be queue, agent:<id>, group:<id> or ticket:<number>');

export const PRESENCE_STATES = ['viewing', 'replying'] as const;
export const presenceState = z.enum(PRESENCE_STATES);

// Client -> server

export const clientMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('subscribe'), rooms: z.array(roomName).min(1).max(100) }),
  z.strictObject({ type: z.literal('unsubscribe'), rooms: z.array(roomName).min(1).max(100) }),
  /**
   * Staff only, after subscribing to `ticket:<n>`. Re-send at least every `presenceTtlMs / 2`
   * (see hello) or the entry expires; `left` removes it at once (closing the socket does too).
   */
  z.strictObject({ type: z.literal('presence'), ticket: z.number().int().positive(), state: z.enum([...PRESENCE_STATES, 'left']) }),
  z.strictObject({ type: z.literal('ping'), id: z.string().max(100).optional() }),
]);
export type ClientMessage = z.infer<typeof clientMessage>;

// Server -> client

export const presencePerson = z.object({ userId: uuid, name: z.string(), state: presenceState, since: isoDateTime });
export type PresencePerson = z.infer<typeof presencePerson>;

/** Payloads of `event` frames, by event name. */
export const realtimeEventData = {
  /** Ticket list and count invalidation: the ticket's current routing fields and what changed. */
  'ticket.created': z.object({ ticketId: uuid, number: z.number().int(), status: z.string(), priority: z.string(), assigneeId: uuid.nullable(), groupId: uuid.nullable() }),
  'ticket.updated': z.object({
    ticketId: uuid,
    number: z.number().int(),
    /** Ticket event actions, e.g. status_changed, assigned, tags_changed. */
    changes: z.array(z.string()),
    /** The ticket fields those actions touched, e.g. status, assigneeId, tags. */
    fields: z.array(z.string()),
    status: z.string(),
    priority: z.string(),
    assigneeId: uuid.nullable(),
    groupId: uuid.nullable(),
    updatedAt: isoDateTime,
  }),
  'ticket.status_changed': z.object({ ticketId: uuid, number: z.number().int(), from: z.string(), to: z.string() }),
  'ticket.assigned': z.object({ ticketId: uuid, number: z.number().int(), from: uuid.nullable(), to: uuid.nullable() }),
  'ticket.time_logged': z.object({ ticketId: uuid, number: z.number().int(), totalMinutes: z.number().int() }),
  /** Customers' sockets never receive notes. `authorUserId` lets a composer detect a collision. */
  'message.created': z.object({ ticketId: uuid, number: z.number().int(), messageId: uuid, kind: z.enum(['customer', 'reply', 'note']), authorUserId: uuid.nullable(), createdAt: isoDateTime }),
  /** Sent to `agent:<id>`; `notification` is the same object as in GET /api/v1/notifications. */
  'notification.created': z.object({ notification: z.record(z.string(), z.unknown()), unreadCount: z.number().int() }),
  'notification.read': z.object({ unreadCount: z.number().int() }),
  'notice.changed': z.object({ noticeId: uuid }),
} as const;
export type RealtimeEventName = keyof typeof realtimeEventData;

export const serverMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), connectionId: z.string(), user: z.object({ id: z.string(), name: z.string(), kind: z.enum(['staff', 'customer']) }), heartbeatMs: z.number().int(), presenceTtlMs: z.number().int() }),
  z.object({ type: z.literal('subscribed'), rooms: z.array(z.string()), denied: z.array(z.object({ room: z.string(), reason: z.string() })) }),
  z.object({ type: z.literal('unsubscribed'), rooms: z.array(z.string()) }),
  /** One frame per event and socket, listing which of the socket's rooms it was sent to. */
  z.object({ type: z.literal('event'), event: z.string(), rooms: z.array(z.string()), data: z.record(z.string(), z.unknown()), at: isoDateTime }),
  /** Everyone viewing or replying on the ticket (the receiver included), after every change. */
  z.object({ type: z.literal('presence'), ticket: z.number().int(), people: z.array(presencePerson) }),
  z.object({ type: z.literal('pong'), id: z.string().optional() }),
  /** Events may have been missed (a lost database listener): refetch what is on screen. */
  z.object({ type: z.literal('resync') }),
  z.object({ type: z.literal('error'), code: z.string(), message: z.string() }),
]);
export type ServerMessage = z.infer<typeof serverMessage>;

/** GET /api/v1/tickets/:number/collision: what changed since the composer opened the ticket. */
export const collisionQuery = z.object({ since: isoDateTime });
export const collisionResponse = z.object({
  /** Messages others added after `since` (notes included for staff). */
  newMessages: z.array(
    z.object({ id: uuid, kind: z.enum(['customer', 'reply', 'note']), author: z.object({ type: z.enum(['user', 'contact', 'system']), id: uuid.nullable(), name: z.string() }), createdAt: isoDateTime }),
  ),
  /** Other agents with the ticket open now, from presence. */
  others: z.array(presencePerson),
  /** True when someone else replied (a public reply or a customer message) since `since` or is replying now. */
  collision: z.boolean(),
});
