import type { EventPayload } from '../../../../contracts/events.js';
import { systemActor, type Ctx } from '../../../platform/context.js';
import type { AnyDb } from '../../../platform/db/database.js';
import { toIso } from '../../../platform/db/rows.js';
import type { Realtime } from '../../../platform/realtime/realtime.js';
import { forbidden, notFound } from '../../../platform/errors.js';
import { getUsersByIds } from '../../auth/index.js';
import { presentChatMessage } from './chat.presenter.js';
import { findChatMessage, findChatSession, type ChatSession } from './chat.repository.js';
import { chatAudience } from './chat.policy.js';
import { onlineAgentIds } from './chat.service.js';

/** The room of one chat's visitor sockets. Its name is outside the agent socket's room pattern, so no agent or customer socket can subscribe to it. */
export const visitorRoom = (sessionId: string): string => `chat-visitor:${sessionId}`;

// "Now" is when the event happened: who was available then hears of it, also when delivery runs late.
const ctxOn = (db: AnyDb, event: { id: string; createdAt: unknown }): Ctx => ({ actor: systemActor('realtime'), requestId: event.id, now: new Date(toIso(event.createdAt)), db, events: { kick: () => undefined } });

/**
 * Who in the console hears about a chat: its agent, and every available agent who may see it
 * while it waits (and of every change of state, for their lists).
 */
async function staffRooms(ctx: Ctx, session: ChatSession, opts: { everyone: boolean; extra?: string | null }): Promise<string[]> {
  const ids = new Set<string>(opts.extra ? [opts.extra] : []);
  if (session.assigneeId) ids.add(session.assigneeId);
  if (opts.everyone || session.status === 'waiting') {
    const online = (await onlineAgentIds(ctx)).filter((id) => !ids.has(id));
    for (const id of await chatAudience(ctx, session, await getUsersByIds(ctx, online))) ids.add(id);
  }
  return [...ids].map((id) => `agent:${id}`);
}

/** Pushes chat lines and state changes to the widget (visitor room) and the console (agent rooms). */
export function registerChatRealtime(realtime: Realtime): void {
  realtime.project('chat.message', async (event, db) => {
    const p = event.payload as EventPayload<'chat.message'>;
    const ctx = ctxOn(db, event);
    const [m, session] = await Promise.all([findChatMessage(db, p.messageId), findChatSession(db, p.sessionId)]);
    if (!m || !session) return [];
    const message = presentChatMessage(m);
    return [
      { rooms: [visitorRoom(session.id)], event: 'chat.message', data: { sessionId: session.id, message }, staffOnly: false },
      { rooms: await staffRooms(ctx, session, { everyone: false }), event: 'chat.message', data: { sessionId: session.id, message }, staffOnly: true },
    ];
  });
  realtime.project('chat.updated', async (event, db) => {
    const p = event.payload as EventPayload<'chat.updated'>;
    const ctx = ctxOn(db, event);
    const session = await findChatSession(db, p.sessionId);
    if (!session) return [];
    const [agent] = session.assigneeId ? await getUsersByIds(ctx, [session.assigneeId]) : [];
    return [
      { rooms: [visitorRoom(session.id)], event: 'chat.status', data: { status: session.status, agentName: agent?.name ?? null }, staffOnly: false },
      { rooms: await staffRooms(ctx, session, { everyone: true, extra: p.previousAssigneeId }), event: 'chat.updated', data: { sessionId: session.id, status: session.status, assigneeId: session.assigneeId }, staffOnly: true },
    ];
  });
}

/** Typing is momentary: pushed at once, never stored. */
export async function publishTyping(realtime: Realtime, ctx: Ctx, session: ChatSession, from: { visitor: true } | { agentName: string }, on: boolean): Promise<void> {
  const at = ctx.now.toISOString();
  if ('visitor' in from) {
    await realtime.publish(ctx.db, { rooms: await staffRooms(ctx, session, { everyone: false }), event: 'chat.typing', data: { sessionId: session.id, on }, staffOnly: true, at });
  } else {
    await realtime.publish(ctx.db, { rooms: [visitorRoom(session.id)], event: 'chat.typing', data: { on, name: from.agentName }, staffOnly: false, at });
  }
}

/** The agent of an active chat shows or hides "typing" in the widget. */
export async function agentTyping(realtime: Realtime, ctx: Ctx, sessionId: string, on: boolean): Promise<void> {
  if (ctx.actor.type !== 'user') throw forbidden('Only agents type in chats');
  const session = await findChatSession(ctx.db, sessionId);
  if (!session) throw notFound('Chat');
  if (session.assigneeId !== ctx.actor.id) throw forbidden('This chat belongs to another agent');
  if (session.status === 'active') await publishTyping(realtime, ctx, session, { agentName: ctx.actor.name }, on);
}
