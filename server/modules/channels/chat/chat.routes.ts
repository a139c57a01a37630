import { z } from 'zod';
import {
  agentChatMessageRequest,
  chatIdParams,
  chatMessageResponse,
  chatSessionDetailResponse,
  chatSessionListResponse,
  chatSessionResponse,
  chatSettings,
  chatTypingRequest,
  convertChatResponse,
  listChatsQuery,
  transferChatRequest,
  updateChatSettingsRequest,
} from '../../../../contracts/chat.js';
import { nonJsonResponse, okResponse, uuid } from '../../../../contracts/common.js';
import { notFound } from '../../../platform/errors.js';
import { ctxOf } from '../../../platform/http/request-context.js';
import type { AppDeps, AppInstance } from '../../../platform/http/types.js';
import { realtimeOf } from '../../../platform/realtime/realtime.js';
import { getUsersByIds } from '../../auth/index.js';
import type { Ctx } from '../../../platform/context.js';
import { presentChatMessage, presentChatSession } from './chat.presenter.js';
import type { ChatSession } from './chat.repository.js';
import { agentTyping } from './chat.realtime.js';
import {
  acceptChat,
  convertChat,
  endChat,
  getChat,
  getChatSettings,
  listChats,
  onlineAgentIds,
  postAgentMessage,
  reportAgentPresence,
  transferChat,
  updateChatSettings,
} from './chat.service.js';
import { registerVisitorRoutes } from './chat-visitor.routes.js';

const TAGS = ['chat'];

async function present(ctx: Ctx, sessions: ChatSession[]) {
  const ids = [...new Set(sessions.flatMap((s) => (s.assigneeId ? [s.assigneeId] : [])))];
  const names = new Map((await getUsersByIds(ctx, ids)).map((u) => [u.id, u.name]));
  return sessions.map((s) => presentChatSession(s, names));
}

/** The agent console's API (sessions, accept, reply, transfer, convert) and the widget's public endpoints. */
export function registerChatRoutes(app: AppInstance, deps: AppDeps): void {
  registerVisitorRoutes(app, deps);
  const realtime = realtimeOf(deps.events);

  app.get('/api/v1/chat/settings', { schema: { tags: TAGS, summary: 'Live chat settings', response: { 200: chatSettings } } }, async (request) => getChatSettings(ctxOf(deps, request)));
  app.patch(
    '/api/v1/chat/settings',
    { config: { auth: 'admin-scope' }, schema: { tags: TAGS, summary: 'Change live chat settings (admins)', body: updateChatSettingsRequest, response: { 200: chatSettings } } },
    async (request) => updateChatSettings(ctxOf(deps, request), request.body),
  );
  app.post(
    '/api/v1/chat/presence',
    { schema: { tags: TAGS, summary: 'The chat console reports in (every 20 s while open); online=false signs out of chat', body: z.strictObject({ online: z.boolean() }), response: { 200: z.object({ agentsOnline: z.number().int() }) } } },
    async (request) => reportAgentPresence(ctxOf(deps, request), request.body.online),
  );
  app.get(
    '/api/v1/chat/sessions',
    { schema: { tags: TAGS, summary: 'Chats by status (open = waiting and active), newest first', querystring: listChatsQuery, response: { 200: chatSessionListResponse } } },
    async (request) => {
      const ctx = ctxOf(deps, request);
      const sessions = await listChats(ctx, request.query.status);
      return { items: await present(ctx, sessions), agentsOnline: (await onlineAgentIds(ctx)).length };
    },
  );
  app.get('/api/v1/chat/sessions/:id', { schema: { tags: TAGS, summary: 'One chat with its transcript', params: chatIdParams, response: { 200: chatSessionDetailResponse } } }, async (request) => {
    const ctx = ctxOf(deps, request);
    const { session, messages } = await getChat(ctx, request.params.id);
    return { session: (await present(ctx, [session]))[0]!, messages: messages.map(presentChatMessage) };
  });
  app.post('/api/v1/chat/sessions/:id/accept', { schema: { tags: TAGS, summary: 'Take a waiting chat', params: chatIdParams, response: { 200: chatSessionResponse } } }, async (request) => {
    const ctx = ctxOf(deps, request);
    return (await present(ctx, [await acceptChat(ctx, request.params.id)]))[0]!;
  });
  app.post(
    '/api/v1/chat/sessions/:id/messages',
    { schema: { tags: TAGS, summary: 'Write to the visitor', params: chatIdParams, body: agentChatMessageRequest, response: { 201: chatMessageResponse } } },
    async (request, reply) => reply.status(201).send(presentChatMessage(await postAgentMessage(ctxOf(deps, request), request.params.id, request.body.body))),
  );
  app.post(
    '/api/v1/chat/sessions/:id/typing',
    { schema: { tags: TAGS, summary: 'Show or hide "agent is typing" in the widget', params: chatIdParams, body: chatTypingRequest, response: { 200: okResponse } } },
    async (request) => {
      await agentTyping(realtime, ctxOf(deps, request), request.params.id, request.body.on);
      return { ok: true as const };
    },
  );
  app.post(
    '/api/v1/chat/sessions/:id/transfer',
    { schema: { tags: TAGS, summary: 'Hand an active chat to another agent', params: chatIdParams, body: transferChatRequest, response: { 200: chatSessionResponse } } },
    async (request) => {
      const ctx = ctxOf(deps, request);
      return (await present(ctx, [await transferChat(ctx, request.params.id, request.body.userId)]))[0]!;
    },
  );
  app.post('/api/v1/chat/sessions/:id/end', { schema: { tags: TAGS, summary: 'End a chat', params: chatIdParams, response: { 200: chatSessionResponse } } }, async (request) => {
    const ctx = ctxOf(deps, request);
    return (await present(ctx, [await endChat(ctx, request.params.id)]))[0]!;
  });
  app.post(
    '/api/v1/chat/sessions/:id/convert',
    { schema: { tags: TAGS, summary: 'Make the chat a ticket: transcript, visitor info and timeline attached, channel chat', params: chatIdParams, response: { 200: convertChatResponse } } },
    async (request) => convertChat(ctxOf(deps, request), request.params.id),
  );
  app.get(
    '/api/v1/chat/sessions/:id/files/:fileId',
    { schema: { tags: TAGS, summary: 'Download a file the visitor sent', params: chatIdParams.extend({ fileId: uuid }), response: { 200: nonJsonResponse('*/*', 'The file, with its own Content-Type, as an attachment download') } } },
    async (request, reply) => {
      const { messages } = await getChat(ctxOf(deps, request), request.params.id);
      const a = messages.find((m) => m.attachment?.id === request.params.fileId)?.attachment;
      if (!a) throw notFound('File');
      return reply
        .header('content-type', a.contentType)
        .header('content-disposition', `attachment; filename="${a.filename.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=UTF-8''${encodeURIComponent(a.filename)}`)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .send(deps.blobs.open(a.sha256));
    },
  );
}
