import type { Ctx } from '../../../platform/context.js';
import { emit } from '../../../platform/events/emit.js';
import { uuidv7 } from '../../../platform/ids.js';
import { insertChatMessage, saveChatSession, type ChatAttachmentRef, type ChatMessage, type ChatSession } from './chat.repository.js';

/** Adds one line to a chat in the caller's transaction and tells the widget and the console. */
export async function appendLine(
  tx: Ctx,
  session: ChatSession,
  line: { authorType: ChatMessage['authorType']; authorName: string; authorUserId?: string | null; body: string; attachment?: ChatAttachmentRef | null; clientId?: string | null },
): Promise<ChatMessage> {
  const message: ChatMessage = {
    id: uuidv7(tx.now.getTime()),
    sessionId: session.id,
    seq: session.lastSeq + 1,
    authorType: line.authorType,
    authorUserId: line.authorUserId ?? null,
    authorName: line.authorName,
    body: line.body,
    attachment: line.attachment ?? null,
    clientId: line.clientId ?? null,
    createdAt: tx.now.toISOString(),
  };
  await insertChatMessage(tx.db, message);
  session.lastSeq = message.seq;
  session.updatedAt = message.createdAt;
  await saveChatSession(tx.db, session);
  await emit(tx, 'chat.message', { sessionId: session.id, messageId: message.id, seq: message.seq });
  return message;
}

