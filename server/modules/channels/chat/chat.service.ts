import { createHash } from 'node:crypto';
import { z } from 'zod';
import { chatSettings, type ChatSettings, type offlineMessageRequest, type startChatRequest, type updateChatSettingsRequest, type VisitorInfo } from '../../../../contracts/chat.js';
import { recordAudit } from '../../../platform/audit/audit.repository.js';
import type { BlobStore } from '../../../platform/blobs/blob-store.js';
import { systemActor, type Ctx } from '../../../platform/context.js';
import { inTransaction } from '../../../platform/db/transaction.js';
import { AppError, forbidden, invalidField, notFound } from '../../../platform/errors.js';
import { emit } from '../../../platform/events/emit.js';
import { defineJob, enqueue } from '../../../platform/jobs/define-job.js';
import { randomToken, uuidv7 } from '../../../platform/ids.js';
import { getUsersByIds, requireAdmin, requireStaff } from '../../auth/index.js';
import { createTicketWithMessage, storeChannelAttachment } from '../../messages/index.js';
import { activeMailboxFor } from '../mailboxes.service.js';
import { upsertMailThread } from '../threads.repository.js';
import { browserOf } from './visitor-info.js';
import { convertInTransaction } from './chat-convert.service.js';
import { assertSeesChat, chatsVisibleTo } from './chat.policy.js';
import { appendLine } from './chat-lines.js';
import {
  agentsSeenSince,
  dropAgentPresence,
  findChatMessageByClientId,
  findChatSession,
  findChatSessionByTokenHash,
  insertChatSession,
  listChatMessages,
  listChatSessions,
  readChannelSetting,
  saveChatSession,
  touchAgentPresence,
  writeChannelSetting,
  type ChatMessage,
  type ChatSession,
  type ChatStatus,
} from './chat.repository.js';

/** A console that has not reported in for this long no longer counts as an available agent. */
export const AGENT_PRESENCE_TTL_MS = 60_000;
const SETTINGS_KEY = 'chat';

export const hashVisitorToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export async function getChatSettings(ctx: Ctx): Promise<ChatSettings> {
  const stored = await readChannelSetting(ctx.db, SETTINGS_KEY);
  const parsed = chatSettings.safeParse(stored ?? {});
  return parsed.success ? parsed.data : chatSettings.parse({});
}

export async function updateChatSettings(ctx: Ctx, input: z.output<typeof updateChatSettingsRequest>): Promise<ChatSettings> {
  requireAdmin(ctx.actor);
  return inTransaction(ctx, async (tx) => {
    const before = await getChatSettings(tx);
    const next = chatSettings.parse({ ...before, ...input });
    await writeChannelSetting(tx.db, SETTINGS_KEY, next, tx.now.toISOString());
    await recordAudit(tx, 'settings.updated', { type: 'settings', id: 'chat' }, { before, after: next });
    return next;
  });
}

/** Agents with the chat console open right now. */
export const onlineAgentIds = (ctx: Ctx): Promise<string[]> => agentsSeenSince(ctx.db, new Date(ctx.now.getTime() - AGENT_PRESENCE_TTL_MS).toISOString());

/** The console reports in while it is open; `online: false` when the agent closes it or goes away. */
export async function reportAgentPresence(ctx: Ctx, online: boolean): Promise<{ agentsOnline: number }> {
  requireStaff(ctx.actor);
  if (ctx.actor.type !== 'user') throw forbidden('Only agents take chats');
  const id = ctx.actor.id;
  await inTransaction(ctx, (tx) => (online ? touchAgentPresence(tx.db, id, tx.now.toISOString()) : dropAgentPresence(tx.db, id)));
  return { agentsOnline: (await onlineAgentIds(ctx)).length };
}

export async function widgetConfig(ctx: Ctx, mailbox: string | undefined) {
  const s = await getChatSettings(ctx);
  if (mailbox) await mailboxOf(ctx, mailbox);
  const online = s.enabled && (await onlineAgentIds(ctx)).length > 0;
  return { online, title: s.title, greeting: s.greeting, preChatName: s.preChatName, preChatEmail: s.preChatEmail };
}

async function mailboxOf(ctx: Ctx, address: string | undefined) {
  if (!address) return undefined;
  const m = await activeMailboxFor(ctx.db, address);
  if (!m) throw invalidField('mailbox', `no active mailbox ${address}`);
  return m;
}

export interface VisitorRequestFacts {
  userAgent: string | null;
  ip: string | null;
}

function visitorInfoOf(input: { pageUrl?: string | undefined; referrer?: string | undefined; locale?: string | undefined }, facts: VisitorRequestFacts): VisitorInfo {
  return {
    pageUrl: input.pageUrl ?? null,
    referrer: input.referrer ?? null,
    userAgent: facts.userAgent?.slice(0, 1000) ?? null,
    browser: browserOf(facts.userAgent),
    locale: input.locale ?? null,
    ip: facts.ip,
  };
}

/** A visitor opens a chat: it waits for an agent, and becomes a ticket if none accepts in time. */
export async function startChat(ctx: Ctx, input: z.output<typeof startChatRequest>, facts: VisitorRequestFacts): Promise<{ session: ChatSession; token: string }> {
  const s = await getChatSettings(ctx);
  if (!s.enabled) throw new AppError('chat_unavailable', 'Live chat is switched off; leave a message instead');
  if (s.preChatName === 'required' && !input.name) throw invalidField('name', 'is required');
  if (s.preChatEmail === 'required' && !input.email) throw invalidField('email', 'is required');
  const mailbox = await mailboxOf(ctx, input.mailbox);
  if ((await onlineAgentIds(ctx)).length === 0) throw new AppError('chat_unavailable', 'No agent is available right now; leave a message and we will answer by email');
  const token = randomToken(32);
  return inTransaction(ctx, async (tx) => {
    const at = tx.now.toISOString();
    const session: ChatSession = {
      id: uuidv7(tx.now.getTime()),
      tokenHash: hashVisitorToken(token),
      mailboxId: mailbox?.id ?? null,
      status: 'waiting',
      visitorName: s.preChatName === 'hidden' ? null : (input.name ?? null),
      visitorEmail: s.preChatEmail === 'hidden' ? null : (input.email ?? null),
      visitorInfo: visitorInfoOf(input, facts),
      assigneeId: null,
      ticketId: null,
      ticketNumber: null,
      endReason: null,
      lastSeq: 0,
      createdAt: at,
      acceptedAt: null,
      endedAt: null,
      updatedAt: at,
    };
    await insertChatSession(tx.db, session);
    await appendLine(tx, session, { authorType: 'system', authorName: 'system', body: 'Chat started' });
    await enqueue(tx, chatUnansweredJob, { sessionId: session.id }, { runAt: new Date(tx.now.getTime() + s.unansweredAfterSeconds * 1000), uniqueKey: `chat-unanswered:${session.id}` });
    await emit(tx, 'chat.updated', { sessionId: session.id, status: session.status, assigneeId: null, previousAssigneeId: null });
    return { session, token };
  });
}

/** When nobody is there: the visitor's message becomes a ticket at once (channel chat). */
export async function leaveOfflineMessage(ctx: Ctx, input: z.output<typeof offlineMessageRequest>, facts: VisitorRequestFacts): Promise<{ ticketNumber: number }> {
  const mailbox = await mailboxOf(ctx, input.mailbox);
  const info = visitorInfoOf(input, facts);
  const sys: Ctx = { ...ctx, actor: systemActor('chat') };
  return inTransaction(sys, async (tx) => {
    const { ticket } = await createTicketWithMessage(tx, {
      subject: `Chat message: ${input.message.replace(/\s+/g, ' ').slice(0, 80)}`,
      requester: { email: input.email, name: input.name },
      message: { body: `${input.message}\n\n-- \nLeft while no agent was available.\nPage: ${info.pageUrl ?? '-'}\nBrowser: ${info.browser ?? '-'}\nLocale: ${info.locale ?? '-'}`, format: 'text', attachmentIds: [] },
      priority: 'medium',
      type: 'question',
      channel: 'chat',
      assigneeId: null,
      groupId: mailbox?.defaultGroupId ?? null,
      tags: ['chat', 'chat-offline'],
      customFields: {},
    });
    if (mailbox) await upsertMailThread(tx.db, { ticketId: ticket.id, mailboxId: mailbox.id, lastInboundHeaderId: null }, tx.now.toISOString());
    return { ticketNumber: ticket.number };
  });
}

export async function sessionByToken(ctx: Ctx, token: string): Promise<ChatSession> {
  const s = token ? await findChatSessionByTokenHash(ctx.db, hashVisitorToken(token)) : undefined;
  if (!s) throw new AppError('unauthenticated', 'Unknown chat token; start a new chat');
  return s;
}


const visitorName = (s: ChatSession): string => s.visitorName ?? 'Visitor';
const isOpen = (s: ChatSession): boolean => s.status === 'waiting' || s.status === 'active';

/** A visitor's line; a resent line (same clientId, after a reconnect) is stored once. */
export async function postVisitorMessage(ctx: Ctx, sessionId: string, input: { body: string; clientId?: string | undefined }): Promise<ChatMessage> {
  return inTransaction(ctx, async (tx) => {
    const session = await lockedSession(tx, sessionId);
    if (input.clientId) {
      const seen = await findChatMessageByClientId(tx.db, session.id, input.clientId);
      if (seen) return seen;
    }
    if (!isOpen(session)) throw new AppError('conflict', 'This chat has ended');
    return appendLine(tx, session, { authorType: 'visitor', authorName: visitorName(session), body: input.body, clientId: input.clientId ?? null });
  });
}

export async function postVisitorFile(ctx: Ctx, blobs: BlobStore, sessionId: string, file: { content: Buffer; filename: string; contentType: string; maxBytes: number }): Promise<ChatMessage> {
  const session = await findChatSession(ctx.db, sessionId);
  if (!session || !isOpen(session)) throw new AppError('conflict', 'This chat has ended');
  const sys: Ctx = { ...ctx, actor: systemActor('chat') };
  return inTransaction(sys, async (tx) => {
    const a = await storeChannelAttachment(tx, blobs, file);
    const locked = await lockedSession(tx, sessionId);
    const attachment = { id: a.id, filename: a.filename, contentType: a.contentType, size: a.size, sha256: a.sha256 };
    return appendLine(tx, locked, { authorType: 'visitor', authorName: visitorName(locked), body: `Sent a file: ${a.filename}`, attachment });
  });
}

/** The visitor closes the chat; one nobody answered becomes a ticket at once. */
export async function visitorLeaves(ctx: Ctx, sessionId: string): Promise<ChatSession> {
  return inTransaction(ctx, async (tx) => {
    const session = await lockedSession(tx, sessionId);
    if (!isOpen(session)) return session;
    const wasWaiting = session.status === 'waiting';
    await appendLine(tx, session, { authorType: 'system', authorName: 'system', body: `${visitorName(session)} left the chat` });
    await finish(tx, session, wasWaiting ? 'visitor_left_unanswered' : 'visitor_left');
    if (wasWaiting) await convertInTransaction({ ...tx, actor: systemActor('chat') }, session, 'unanswered');
    return session;
  });
}

async function finish(tx: Ctx, session: ChatSession, reason: string): Promise<void> {
  session.status = 'ended';
  session.endReason = reason;
  session.endedAt = tx.now.toISOString();
  session.updatedAt = session.endedAt;
  await saveChatSession(tx.db, session);
  await emit(tx, 'chat.updated', { sessionId: session.id, status: session.status, assigneeId: session.assigneeId, previousAssigneeId: null });
}

async function lockedSession(tx: Ctx, id: string): Promise<ChatSession> {
  const s = await findChatSession(tx.db, id, { lock: true });
  if (!s) throw notFound('Chat');
  return s;
}

/** A chat an agent acts on: one they may see (agents restricted to their groups see their groups' chats). */
const staffSession = async (tx: Ctx, id: string): Promise<ChatSession> => assertSeesChat(tx, await lockedSession(tx, id));

function staffUser(ctx: Ctx): { id: string; name: string; role: string } {
  requireStaff(ctx.actor);
  if (ctx.actor.type !== 'user') throw forbidden('Only agents take chats');
  return { id: ctx.actor.id, name: ctx.actor.name, role: ctx.actor.role };
}

/** The agent of the chat, or a supervisor stepping in. */
function assertHandles(user: { id: string; role: string }, session: ChatSession): void {
  if (session.assigneeId !== user.id && user.role !== 'admin' && user.role !== 'supervisor') throw forbidden('This chat belongs to another agent');
}

export async function acceptChat(ctx: Ctx, id: string): Promise<ChatSession> {
  const me = staffUser(ctx);
  return inTransaction(ctx, async (tx) => {
    const session = await staffSession(tx, id);
    if (session.status !== 'waiting') throw new AppError('conflict', session.status === 'active' ? 'Another agent has already accepted this chat' : 'This chat has ended');
    session.status = 'active';
    session.assigneeId = me.id;
    session.acceptedAt = tx.now.toISOString();
    await appendLine(tx, session, { authorType: 'system', authorName: 'system', body: `${me.name} joined the chat` });
    await emit(tx, 'chat.updated', { sessionId: session.id, status: session.status, assigneeId: me.id, previousAssigneeId: null });
    return session;
  });
}

export async function postAgentMessage(ctx: Ctx, id: string, body: string): Promise<ChatMessage> {
  const me = staffUser(ctx);
  return inTransaction(ctx, async (tx) => {
    const session = await staffSession(tx, id);
    if (session.status !== 'active') throw new AppError('conflict', session.status === 'waiting' ? 'Accept the chat first' : 'This chat has ended');
    assertHandles(me, session);
    return appendLine(tx, session, { authorType: 'agent', authorName: me.name, authorUserId: me.id, body });
  });
}

export async function transferChat(ctx: Ctx, id: string, userId: string): Promise<ChatSession> {
  const me = staffUser(ctx);
  const [target] = await getUsersByIds(ctx, [userId]);
  if (!target || target.role === 'customer' || !target.active) throw invalidField('userId', 'is not an active agent');
  return inTransaction(ctx, async (tx) => {
    const session = await staffSession(tx, id);
    if (session.status !== 'active') throw new AppError('conflict', 'Only an active chat can be transferred');
    assertHandles(me, session);
    if (session.assigneeId === target.id) throw invalidField('userId', 'already has this chat');
    const previous = session.assigneeId;
    session.assigneeId = target.id;
    await appendLine(tx, session, { authorType: 'system', authorName: 'system', body: `${me.name} transferred the chat to ${target.name}` });
    await emit(tx, 'chat.updated', { sessionId: session.id, status: session.status, assigneeId: target.id, previousAssigneeId: previous });
    return session;
  });
}

export async function endChat(ctx: Ctx, id: string): Promise<ChatSession> {
  const me = staffUser(ctx);
  return inTransaction(ctx, async (tx) => {
    const session = await staffSession(tx, id);
    if (!isOpen(session)) return session;
    if (session.status === 'active') assertHandles(me, session);
    await appendLine(tx, session, { authorType: 'system', authorName: 'system', body: `${me.name} ended the chat` });
    await finish(tx, session, 'agent_ended');
    return session;
  });
}

/** One click: the chat becomes a ticket (idempotent: a converted chat returns its ticket). */
export async function convertChat(ctx: Ctx, id: string): Promise<{ ticketId: string; ticketNumber: number }> {
  const me = staffUser(ctx);
  return inTransaction(ctx, async (tx) => {
    const session = await staffSession(tx, id);
    if (session.status === 'active') assertHandles(me, session);
    return convertInTransaction(tx, session, 'agent');
  });
}

/** The job behind "a chat nobody accepts in time becomes a ticket by itself". */
export async function convertIfUnanswered(ctx: Ctx, id: string): Promise<void> {
  await inTransaction({ ...ctx, actor: systemActor('chat') }, async (tx) => {
    const session = await findChatSession(tx.db, id, { lock: true });
    if (!session || session.status !== 'waiting') return;
    await appendLine(tx, session, { authorType: 'system', authorName: 'system', body: 'No agent could answer in time; we will reply by email' });
    await finish(tx, session, 'unanswered');
    await convertInTransaction(tx, session, 'unanswered');
  });
}

export async function getChat(ctx: Ctx, id: string): Promise<{ session: ChatSession; messages: ChatMessage[] }> {
  requireStaff(ctx.actor);
  const session = await findChatSession(ctx.db, id);
  if (!session) throw notFound('Chat');
  await assertSeesChat(ctx, session);
  return { session, messages: await listChatMessages(ctx.db, id) };
}

export async function listChats(ctx: Ctx, status: 'open' | ChatStatus): Promise<ChatSession[]> {
  requireStaff(ctx.actor);
  return chatsVisibleTo(ctx, await listChatSessions(ctx.db, status === 'open' ? ['waiting', 'active'] : [status]));
}

/** What a reconnecting widget missed (everything after its last seen sequence number). */
export const visitorTranscript = (ctx: Ctx, sessionId: string, afterSeq: number): Promise<ChatMessage[]> => listChatMessages(ctx.db, sessionId, afterSeq);

/** Runs when a chat's waiting time is up (enqueued by startChat with that run time). */
export const chatUnansweredJob = defineJob({
  name: 'chat.unanswered',
  payload: z.object({ sessionId: z.string() }),
  handler: (ctx, p) => convertIfUnanswered(ctx, p.sessionId),
});
