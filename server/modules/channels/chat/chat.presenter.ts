import type { ChatMessageResponse, ChatSessionResponse } from '../../../../contracts/chat.js';
import type { ChatMessage, ChatSession } from './chat.repository.js';

/** Visitors and agents see the same line; staff ids never leave through it. */
export const presentChatMessage = (m: ChatMessage): ChatMessageResponse => ({
  id: m.id,
  seq: m.seq,
  author: m.authorType,
  authorName: m.authorName,
  body: m.body,
  attachment: m.attachment ? { id: m.attachment.id, filename: m.attachment.filename, contentType: m.attachment.contentType, size: m.attachment.size } : null,
  clientId: m.clientId,
  createdAt: m.createdAt,
});

export const presentChatSession = (s: ChatSession, names: Map<string, string>): ChatSessionResponse => ({
  id: s.id,
  status: s.status,
  visitorName: s.visitorName,
  visitorEmail: s.visitorEmail,
  visitorInfo: s.visitorInfo,
  assignee: s.assigneeId ? { id: s.assigneeId, name: names.get(s.assigneeId) ?? 'Agent' } : null,
  ticketNumber: s.ticketNumber,
  endReason: s.endReason,
  lastSeq: s.lastSeq,
  createdAt: s.createdAt,
  acceptedAt: s.acceptedAt,
  endedAt: s.endedAt,
});
