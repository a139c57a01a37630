import type { z } from 'zod';
import type { importTicket, importTicketsResponse } from '../../../contracts/import.js';
import type { Actor, Ctx } from '../../platform/context.js';
import { recordAudit } from '../../platform/audit/audit.repository.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { conflict, invalidField, withinItem } from '../../platform/errors.js';
import { emit } from '../../platform/events/emit.js';
import { groupIdsByNames, requireAdmin, userIdsByHandles, findUsersByIds } from '../auth/index.js';
import { contactSearchText, findOrCreateContactByEmail } from '../contacts/index.js';
import { applyChanges, findTicketsByIds, insertNewTicket, type Ticket } from '../tickets/index.js';
import { normaliseBodies } from './body-format.js';
import { assertConsistentHistory } from './import-checks.js';
import { findImportedTicketIds, recordImportedTicket } from './import-refs.repository.js';
import { addMessageToTicket } from './messages.service.js';

type ImportTicket = z.output<typeof importTicket>;
type ImportAnswer = z.infer<typeof importTicketsResponse>;

/**
 * The history's own time, and `imported` so that its events reach reports and search but no one
 * is notified, mailed, alarmed or routed as if it happened now.
 */
const at = (ctx: Ctx, iso: string, actor?: Actor): Ctx => ({ ...ctx, now: new Date(iso), imported: true, ...(actor ? { actor } : {}) });

/** Every body formatted before the transaction opens; one with no words left is named with its place in the batch. */
async function formatBodies(tickets: readonly ImportTicket[]): Promise<{ html: string; text: string }[][]> {
  const flat = await normaliseBodies(tickets.flatMap((t) => t.messages));
  let at = 0;
  return tickets.map((t, i) =>
    t.messages.map((_, k) => {
      const body = flat[at++]!;
      if (!body.text) throw invalidField(`tickets.${i}.messages.${k}.body`, 'is empty after formatting');
      return body;
    }),
  );
}

/**
 * Imports historical tickets with their original timestamps, all or nothing per request.
 * Messages replay in time order, so first-response and resolution times come out as they were.
 * A ticket whose externalId an earlier import brought in is skipped (its number is answered), so
 * a retried batch does not duplicate history.
 */
export async function importTickets(ctx: Ctx, tickets: ImportTicket[]): Promise<ImportAnswer> {
  requireAdmin(ctx.actor);
  assertConsistentHistory(tickets, ctx.now);
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

  const bodies = await formatBodies(tickets);

  return inTransaction(ctx, async (tx) => {
    const earlier = await findImportedTicketIds(tx.db, tickets.flatMap((t) => (t.externalId ? [t.externalId] : [])));
    const numbers = new Map((await findTicketsByIds(tx.db, [...earlier.values()])).map((t) => [t.id, t.number]));
    const out: ImportAnswer = { imported: [], skipped: [] };
    for (const [i, t] of tickets.entries()) {
      const earlierId = t.externalId ? earlier.get(t.externalId) : undefined;
      if (t.externalId && earlierId) {
        out.skipped.push({ externalId: t.externalId, number: numbers.get(earlierId)! });
        continue;
      }
      // Stable: messages of the same time keep the order they were sent in.
      const messages = [...t.messages.entries()].sort(([, a], [, b]) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
      const assignee = agentActor(t.assigneeEmail, `tickets.${i}.assigneeEmail`);
      const groupId = t.groupName ? groups.get(t.groupName.toLowerCase()) : null;
      if (t.groupName && !groupId) throw invalidField(`tickets.${i}.groupName`, `unknown group ${t.groupName}`);
      const opened = async (): Promise<Ticket> => {
        const { contact } = await findOrCreateContactByEmail(at(tx, t.createdAt), t.requester.email, t.requester.name);
        return insertNewTicket(at(tx, t.createdAt), {
          subject: t.subject,
          requesterId: contact.id,
          organizationId: contact.organizationId,
          requesterText: contactSearchText(contact),
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
      };
      let ticket = await opened().catch((err: unknown) => {
        throw withinItem(err, `tickets.${i}`);
      });
      for (const [k, m] of messages) {
        const author = m.kind === 'customer' ? undefined : agentActor(m.authorEmail, `tickets.${i}.messages.${k}.authorEmail`);
        const normalised = bodies[i]![k]!;
        ticket = (await addMessageToTicket(at(tx, m.createdAt, author), ticket, { kind: m.kind, body: m.body, format: m.format, normalised, attachmentIds: [], createdAt: m.createdAt })).ticket;
      }
      const finalAt = t.statusChangedAt ?? messages[messages.length - 1]![1].createdAt;
      if (t.status !== ticket.status) ticket = await applyChanges(at(tx, finalAt), ticket, { status: t.status }, { reason: 'import' });
      if (t.externalId && !(await recordImportedTicket(tx.db, { externalId: t.externalId, ticketId: ticket.id, at: tx.now.toISOString() }))) {
        // Another request imported it after this one looked: this one rolls back whole.
        const [other] = await findTicketsByIds(tx.db, [...(await findImportedTicketIds(tx.db, [t.externalId])).values()]);
        throw conflict(`externalId ${t.externalId} was imported meanwhile (#${other?.number}); send the batch again to skip it`, { field: `tickets.${i}.externalId`, externalId: t.externalId, number: other?.number ?? null });
      }
      // At the import's own time, unmarked: the ticket's clocks start from its history as of now.
      await emit(tx, 'ticket.imported', { ticketId: ticket.id, number: ticket.number });
      out.imported.push({ externalId: t.externalId ?? null, number: ticket.number });
    }
    await recordAudit(tx, 'tickets.imported', null, { count: out.imported.length, numbers: out.imported.map((o) => o.number), skipped: out.skipped.length });
    return out;
  });
}
