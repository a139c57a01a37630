import type { z } from 'zod';
import type { attachmentResponse, messageResponse } from '../../../contracts/messages.js';
import type { Ctx } from '../../platform/context.js';
import { findUsersByIds } from '../auth/index.js';
import { getContactsByIds } from '../contacts/index.js';
import type { Attachment, Message } from './messages.repository.js';

export const presentAttachment = (a: Attachment): z.infer<typeof attachmentResponse> => ({
  id: a.id,
  filename: a.filename,
  contentType: a.contentType,
  size: a.size,
  url: `/api/v1/attachments/${a.id}`,
  createdAt: a.createdAt,
});

export async function presentMessages(
  ctx: Ctx,
  messages: (Message & { attachments: Attachment[] })[],
  mergedFrom: Map<string, number>,
): Promise<z.infer<typeof messageResponse>[]> {
  const [users, contacts] = await Promise.all([
    findUsersByIds(ctx.db, messages.map((m) => m.authorUserId).filter((x): x is string => x !== null)),
    getContactsByIds(ctx, messages.map((m) => m.authorContactId).filter((x): x is string => x !== null)),
  ]);
  const names = new Map<string, string>([...users.map((u) => [u.id, u.name] as const), ...contacts.map((c) => [c.id, c.name] as const)]);
  return messages.map((m) => {
    const authorId = m.authorUserId ?? m.authorContactId;
    return {
      id: m.id,
      kind: m.kind,
      author: { type: m.authorType, id: authorId, name: (authorId && names.get(authorId)) || (m.authorType === 'system' ? 'Tessera' : 'Unknown') },
      bodyHtml: m.bodyHtml,
      bodyText: m.bodyText,
      mentions: m.mentions,
      attachments: m.attachments.map(presentAttachment),
      mergedFromNumber: m.originalTicketId ? (mergedFrom.get(m.originalTicketId) ?? null) : null,
      createdAt: m.createdAt,
    };
  });
}
