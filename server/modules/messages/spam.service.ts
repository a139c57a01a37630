import type { Ctx } from '../../platform/context.js';
import { recordAudit } from '../../platform/audit/audit.repository.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { AppError } from '../../platform/errors.js';
import { emit } from '../../platform/events/emit.js';
import { removeSearchDocs } from '../../platform/search/search.repository.js';
import { deleteTicket, getTicket, ticketNumbersByIds } from '../tickets/index.js';
import { requireAdmin } from '../auth/index.js';
import { deleteMessagesOf, mergedInTicketIds } from './messages.repository.js';

/** Deletes a ticket from the spam folder for good: messages, attachments, search rows, events. */
export async function deleteSpamTicket(ctx: Ctx, number: number): Promise<void> {
  requireAdmin(ctx.actor);
  await inTransaction(ctx, async (tx) => {
    const ticket = await getTicket(tx, number, { lock: true });
    if (!ticket.spam) throw new AppError('bad_request', `Ticket #${number} is not marked as spam; only spam is deleted`);
    // Messages merged in from other tickets are those tickets' conversations: deleting them would
    // leave each source closed and empty, its customer's words gone for good.
    const sources = [...(await ticketNumbersByIds(tx, await mergedInTicketIds(tx.db, ticket.id))).values()].sort((a, b) => a - b);
    if (sources.length) {
      throw new AppError('conflict', `Ticket #${number} holds the conversation of ${sources.map((n) => `#${n}`).join(', ')}, merged into it; it cannot be deleted (unmark it as spam instead)`, { mergedFrom: sources });
    }
    const messageIds = await deleteMessagesOf(tx.db, ticket.id);
    await removeSearchDocs(tx.db, [`t:${ticket.id}`, ...messageIds.map((id) => `m:${id}`)]);
    await deleteTicket(tx, ticket);
    await recordAudit(tx, 'ticket.deleted', { type: 'ticket', id: ticket.id }, { number, subject: ticket.subject, reason: 'spam' });
    await emit(tx, 'ticket.deleted', { ticketId: ticket.id, number });
  });
}
