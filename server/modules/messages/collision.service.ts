import type { z } from 'zod';
import type { collisionResponse, PresencePerson } from '../../../contracts/realtime.js';
import type { Ctx } from '../../platform/context.js';
import { forbidden } from '../../platform/errors.js';
import { findUsersByIds } from '../auth/index.js';
import { getContactsByIds } from '../contacts/index.js';
import { getTicket } from '../tickets/index.js';
import { messageHeadsSince } from './collision.repository.js';

/**
 * Before sending, a composer asks what happened since the agent opened the ticket: messages
 * others added, and who else is on it now (from realtime presence). A collision is a reply or
 * customer message by someone else, or another agent replying right now.
 */
export async function checkCollision(ctx: Ctx, number: number, since: string, presence: PresencePerson[]): Promise<z.infer<typeof collisionResponse>> {
  if (ctx.actor.type !== 'user') throw forbidden('Collision checks are for agents');
  const me = ctx.actor.id;
  const ticket = await getTicket(ctx, number);
  const heads = (await messageHeadsSince(ctx.db, ticket.id, new Date(since).toISOString(), { includeNotes: true, limit: 50 })).filter((m) => m.authorUserId !== me);
  const [users, contacts] = await Promise.all([
    findUsersByIds(ctx.db, heads.map((m) => m.authorUserId).filter((x): x is string => x !== null)),
    getContactsByIds(ctx, heads.map((m) => m.authorContactId).filter((x): x is string => x !== null)),
  ]);
  const names = new Map<string, string>([...users.map((u) => [u.id, u.name] as const), ...contacts.map((c) => [c.id, c.name] as const)]);
  const newMessages = heads.map((m) => {
    const id = m.authorUserId ?? m.authorContactId;
    return { id: m.id, kind: m.kind, author: { type: m.authorType, id, name: (id && names.get(id)) || (m.authorType === 'system' ? 'Tessera' : 'Unknown') }, createdAt: m.createdAt };
  });
  const others = presence.filter((p) => p.userId !== me);
  return { newMessages, others, collision: newMessages.some((m) => m.kind !== 'note') || others.some((p) => p.state === 'replying') };
}
