import type { Ctx } from '../../platform/context.js';
import { findMessagesByIds, type Message } from './messages.repository.js';

export type MessageSummary = Pick<Message, 'id' | 'ticketId' | 'kind' | 'authorType' | 'authorUserId' | 'authorContactId' | 'bodyText' | 'createdAt'>;

/** Who wrote which message and what it says, for modules that react to message.created (the bell). */
export async function getMessageSummaries(ctx: Ctx, ids: readonly string[]): Promise<MessageSummary[]> {
  return (await findMessagesByIds(ctx.db, ids)).map(({ id, ticketId, kind, authorType, authorUserId, authorContactId, bodyText, createdAt }) => ({
    id,
    ticketId,
    kind,
    authorType,
    authorUserId,
    authorContactId,
    bodyText,
    createdAt,
  }));
}
