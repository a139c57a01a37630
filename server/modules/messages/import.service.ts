import type { z } from 'zod';
import type { importTicket } from '../../../contracts/import.js';
import type { Actor, Ctx } from '../../platform/context.js';
import { recordAudit } from '../../platform/audit/audit.repository.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { invalidField } from '../../platform/errors.js';
import { groupIdsByNames, requireAdmin, userIdsByHandles, findUsersByIds } from '../auth/index.js';
import { findOrCreateContactByEmail } from '../contacts/index.js';
import { applyChanges, insertNewTicket, type Ticket } from '../tickets/index.js';
import { requesterText } from './conversation.service.js';
import { addMessageToTicket } from './messages.service.js';

type ImportTicket = z.output<typeof importTicket>;

const at = (ctx: Ctx, iso: string, actor?: Actor): Ctx => ({ ...ctx, now: new Date(iso), ...(actor ? { actor } : {}) });

/**
 * Imports historical tickets with their original timestamps, all or nothing per request.
 * Messages replay in time order, so first-response and resolution times come out as they were.
 */
export async function importTickets(ctx: Ctx, tickets: ImportTicket[]): Promise<{ externalId: string | null; number: number }[]> {
  requireAdmin(ctx.actor);
  const agentEmails = [...new Set(tickets.flatMap((t) => [t.assigneeEmail, ...t.messages.map((m) => (m.kind === 'customer' ? undefined : m.authorEmail))]).filter((e): e is string => !!e))];
  const userIds = await userIdsByHandles(ctx.db, agentEmails);
  const users = new Map((await findUsersByIds(ctx.db, [...userIds.values()])).map((u) => [u.id, u]));
  const groups = await groupIdsByNames(ctx.db, tickets.map((t) => t.groupName).filter((g): g is string => !!g));
  const agentActor = (email: string | undefined, path: string): Actor | undefined => {
    if (!email) return undefined;
    const user = users.get(userIds.get(email) ?? '');
    if (!user || user.role === 'customer') throw invalidField(path, `no agent with email ${email}`);
    return { type: 'user', id: user.id, role: user.role, name: user.name, email: user.email, groupIds: [], restricted: false };
  };

  return inTransaction(ctx, async (tx) => {
    const out: { externalId: string | null; number: number }[] = [];
    for (const [i, t] of tickets.entries()) {
      const messages = [...t.messages].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      if (messages[0]!.createdAt < t.createdAt) throw invalidField(`tickets.${i}.messages`, 'a message is older than its ticket');
      const assignee = agentActor(t.assigneeEmail, `tickets.${i}.assigneeEmail`);
      const groupId = t.groupName ? groups.get(t.groupName.toLowerCase()) : null;
      if (t.groupName && !groupId) throw invalidField(`tickets.${i}.groupName`, `unknown group ${t.groupName}`);
      const { contact } = await findOrCreateContactByEmail(at(tx, t.createdAt), t.requester.email, t.requester.name);
      let ticket: Ticket = await insertNewTicket(at(tx, t.createdAt), {
        subject: t.subject,
        requesterId: contact.id,
        organizationId: contact.organizationId,
        requesterText: requesterText(contact),
        status: assignee ? 'in_progress' : 'open',
        priority: t.priority,
        type: t.type,
        channel: t.channel,
        assigneeId: assignee?.type === 'user' ? assignee.id : null,
        groupId: groupId ?? null,
        tags: t.tags,
        customFields: t.customFields,
        createdAt: t.createdAt,
        requireFields: false,
      });
      for (const [k, m] of messages.entries()) {
        const author = m.kind === 'customer' ? undefined : agentActor(m.authorEmail, `tickets.${i}.messages.${k}.authorEmail`);
        ticket = (await addMessageToTicket(at(tx, m.createdAt, author), ticket, { kind: m.kind, body: m.body, format: m.format, attachmentIds: [], createdAt: m.createdAt })).ticket;
      }
      const finalAt = t.statusChangedAt ?? messages[messages.length - 1]!.createdAt;
      if (t.status !== ticket.status) ticket = await applyChanges(at(tx, finalAt), ticket, { status: t.status }, { reason: 'import' });
      out.push({ externalId: t.externalId ?? null, number: ticket.number });
    }
    await recordAudit(tx, 'tickets.imported', null, { count: out.length, numbers: out.map((o) => o.number) });
    return out;
  });
}
