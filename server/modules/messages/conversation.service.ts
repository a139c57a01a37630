import type { z } from 'zod';
import type { createTicketRequest } from '../../../contracts/tickets.js';
import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { AppError, forbidden, invalidField, notFound, withinItem } from '../../platform/errors.js';
import { emit } from '../../platform/events/emit.js';
import { reassignSearchDocs } from '../../platform/search/search.repository.js';
import { contactSearchText, findOrCreateContactsByEmails, getContactsByIds, normalizeEmail, type Contact } from '../contacts/index.js';
import { applyChanges, appendTicketEvents, eventsFrom, getTicket, insertNewTicket, insertNewTickets, saveTicket, ticketClosed, type Ticket } from '../tickets/index.js';
import { normaliseBodies } from './body-format.js';
import { addOpeningMessages, checkNewMessages, mergedAway, type NewMessage } from './messages.service.js';
import { conversationFactsOf, findMessagesByIds, messageIdsOf, moveMessages, type ConversationFacts, type Message } from './messages.repository.js';


// Counts, last message and first response are read back from the messages a ticket holds once
// a merge or split has moved some: adding up what moved cannot tell that the first reply left.
const withFacts = (t: Ticket, facts: Map<string, ConversationFacts>): Ticket => ({ ...t, ...facts.get(t.id) });

type CreateInput = z.output<typeof createTicketRequest> & { createdAt?: string };
type ItemPath = ((i: number) => string) | undefined;

/** Each item's requester: the customer themself, a contact by id, or one found or created by email. */
async function resolveRequesters(ctx: Ctx, inputs: readonly CreateInput[], itemPath: ItemPath): Promise<Contact[]> {
  const fail = (err: unknown, i: number) => withinItem(err, itemPath?.(i));
  if (ctx.actor.type === 'customer') {
    const [self] = ctx.actor.contactId ? await getContactsByIds(ctx, [ctx.actor.contactId]) : [];
    if (!self) throw forbidden('This customer account has no contact record');
    return inputs.map(() => self);
  }
  const byId = new Map((await getContactsByIds(ctx, inputs.flatMap((input) => (input.requesterId ? [input.requesterId] : [])))).map((c) => [c.id, c]));
  const byEmail = await findOrCreateContactsByEmails(ctx, inputs.flatMap((input) => (!input.requesterId && input.requester ? [input.requester] : [])));
  return inputs.map((input, i) => {
    // Both named: which one was meant cannot be told (the id used to win without a word).
    if (input.requesterId && input.requester) throw fail(invalidField('requester', 'give requester (an email) or requesterId, not both'), i);
    if (input.requesterId) {
      const c = byId.get(input.requesterId);
      if (!c) throw fail(invalidField('requesterId', 'unknown contact'), i);
      return c;
    }
    if (input.requester) return byEmail.get(normalizeEmail(input.requester.email))!;
    throw fail(invalidField('requester', 'give requester.email or requesterId'), i);
  });
}

/**
 * A new ticket and its first message in one transaction. The requester is found or created
 * by email. A ticket an agent opens on the customer's behalf (channel "agent") starts with the
 * agent's reply; every other channel starts with the customer's words.
 */
export async function createTicketWithMessage(ctx: Ctx, input: CreateInput): Promise<{ ticket: Ticket; message: Message; requester: Contact }> {
  return (await createTicketsWithMessages(ctx, [input]))[0]!;
}

/**
 * Many new tickets, each with its first message, all or none in one transaction, written
 * set-wise (a batch costs about what a dozen single creates do). Bodies are formatted before the
 * transaction: parsing HTML must not hold the write lock. `itemPath` names an item in errors.
 */
export async function createTicketsWithMessages(ctx: Ctx, inputs: readonly CreateInput[], opts: { itemPath?: (i: number) => string } = {}): Promise<{ ticket: Ticket; message: Message; requester: Contact }[]> {
  const isCustomer = ctx.actor.type === 'customer';
  const bodies = await normaliseBodies(inputs.map((input) => input.message));
  return inTransaction(ctx, async (tx) => {
    const requesters = await resolveRequesters(tx, inputs, opts.itemPath);
    const kinds = inputs.map((input) => (input.channel === 'agent' && ctx.actor.type === 'user' ? 'reply' : 'customer'));
    const messageInputs: NewMessage[] = inputs.map((input, i) => ({
      kind: kinds[i]!,
      body: input.message.body,
      format: input.message.format,
      normalised: bodies[i],
      attachmentIds: input.message.attachmentIds,
      authorContactId: requesters[i]!.id,
      createdAt: input.createdAt,
      opening: true,
    }));
    // The first message sits under `message` in a create's body (a refused body is `message.body`, not the request's `body`).
    const messagePath = (i: number) => (opts.itemPath ? `${opts.itemPath(i)}.message` : 'message');
    // Before insertNewTickets draws the numbers, so that a refused message leaves no gap in them.
    const checked = await checkNewMessages(tx, messageInputs, { itemPath: messagePath });
    const tickets = await insertNewTickets(
      tx,
      inputs.map((input, i) => ({
        subject: input.subject,
        requesterId: requesters[i]!.id,
        organizationId: requesters[i]!.organizationId,
        requesterText: contactSearchText(requesters[i]!),
        status: isCustomer ? undefined : input.status,
        priority: isCustomer ? 'medium' : input.priority,
        type: input.type,
        channel: isCustomer ? 'web_form' : input.channel,
        assigneeId: isCustomer ? null : input.assigneeId,
        groupId: isCustomer ? null : input.groupId,
        tags: isCustomer ? [] : input.tags,
        customFields: input.customFields,
        createdAt: input.createdAt,
        openingMessage: { kind: kinds[i]!, at: input.createdAt ?? tx.now.toISOString() },
      })),
      opts,
    );
    // The creating message is part of creation, not a status-changing reply.
    const messages = await addOpeningMessages(
      tx,
      tickets.map((ticket, i) => ({ ticket, input: messageInputs[i]! })),
      { itemPath: messagePath, checked },
    );
    return tickets.map((ticket, i) => ({ ticket, message: messages[i]!, requester: requesters[i]! }));
  });
}

/**
 * The batch create of the API: staff only (a customer writes one ticket at a time), items named
 * by their place in the request.
 */
export async function createTicketBatch(ctx: Ctx, inputs: readonly CreateInput[]): Promise<{ ticket: Ticket; message: Message }[]> {
  if (ctx.actor.type === 'customer') throw forbidden('Customers create tickets one at a time');
  return createTicketsWithMessages(ctx, inputs, { itemPath: (i) => `tickets.${i}` });
}

/**
 * Merges source tickets into the target: their messages join the target's timeline (keeping
 * where they came from), each source is closed with a pointer to the target, both sides audited.
 * The target's first response becomes the earliest agent reply of them all made since it was created.
 */
export async function mergeTickets(ctx: Ctx, targetNumber: number, sourceNumbers: number[]): Promise<Ticket> {
  if (ctx.actor.type !== 'user' && ctx.actor.type !== 'system') throw forbidden('Only staff can merge tickets');
  if (sourceNumbers.includes(targetNumber)) throw invalidField('sourceNumbers', 'cannot contain the target ticket');
  return inTransaction(ctx, async (tx) => {
    const { found, missing } = await lockInNumberOrder(tx, [targetNumber, ...sourceNumbers]);
    let target = found.get(targetNumber);
    if (!target) throw notFound('Ticket');
    if (target.mergedIntoId) throw new AppError('conflict', `Ticket #${targetNumber} was itself merged; merge into the ticket it points to`);
    if (missing.length) throw new AppError('not_found', `Ticket(s) not found: ${missing.map((n) => `#${n}`).join(', ')}`, { numbers: missing });
    // Closed is final on either side: a closed target takes nothing in, a closed source gives
    // nothing up. (A source merged before is named as such below.)
    const closed = [...found.values()].filter((t) => t.status === 'closed' && !t.mergedIntoId).map((t) => t.number);
    if (closed.length) throw ticketClosed(closed);
    const sources = [...found.values()].filter((t) => t.number !== targetNumber);
    for (const source of sources) {
      const number = source.number;
      if (source.mergedIntoId) throw new AppError('conflict', `Ticket #${number} was already merged`);
      const ids = await messageIdsOf(tx.db, source.id);
      await moveMessages(tx.db, ids, source.id, target.id);
      await reassignSearchDocs(tx.db, ids.map((id) => `m:${id}`), target.id);
      const facts = await conversationFactsOf(tx.db, [target, source]);
      const joined = withFacts(target, facts);
      await saveTicket(tx.db, target, joined);
      // The source's tags join the target as a change of its own (tags_changed, reports follow).
      const newTags = source.tags.filter((tag) => !target!.tags.includes(tag));
      const grown = newTags.length ? await applyChanges(tx, joined, { addTags: newTags }, { reason: 'merged', fromNumber: source.number }) : joined;
      const closing: Ticket = { ...withFacts(source, facts), mergedIntoId: target.id };
      await saveTicket(tx.db, source, closing);
      await applyChanges(tx, closing, { status: 'closed' }, { reason: 'merged', intoNumber: target.number });
      await appendTicketEvents(tx.db, [
        ...eventsFrom(tx, source.id, [{ action: 'merged_into', from: null, to: { ticketId: target.id, number: target.number } }]),
        ...eventsFrom(tx, target.id, [{ action: 'merged_from', from: null, to: { ticketId: source.id, number: source.number, messages: ids.length } }]),
      ]);
      await emit(tx, 'ticket.merged', { ticketId: source.id, number: source.number, intoTicketId: target.id, intoNumber: target.number });
      target = { ...grown, updatedAt: tx.now.toISOString() };
      await saveTicket(tx.db, grown, target);
    }
    return target;
  });
}

/**
 * The tickets locked one by one in number order, the order bulk changes lock in, so two merges
 * that cross (A into B while B into A) or chain (A into B while B into C) queue behind each
 * other instead of deadlocking. Locking the target first and then its sources made such pairs
 * wait on each other until PostgreSQL's deadlock check (a second) failed one and it ran again.
 * Every number that is missing (or not visible) is named at once, as bulk does.
 */
async function lockInNumberOrder(ctx: Ctx, numbers: number[]): Promise<{ found: Map<number, Ticket>; missing: number[] }> {
  const found = new Map<number, Ticket>();
  const missing: number[] = [];
  for (const number of [...new Set(numbers)].sort((a, b) => a - b)) {
    try {
      found.set(number, await getTicket(ctx, number, { lock: true }));
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'not_found')) throw err;
      missing.push(number);
    }
  }
  return { found, missing };
}

/** Moves chosen messages of a ticket to a new ticket linked to it (same requester, group, priority, tags and custom fields). */
export async function splitTicket(ctx: Ctx, number: number, messageIds: string[], subject?: string): Promise<{ original: Ticket; created: Ticket }> {
  if (ctx.actor.type !== 'user' && ctx.actor.type !== 'system') throw forbidden('Only staff can split tickets');
  return inTransaction(ctx, async (tx) => {
    const original = await getTicket(tx, number, { lock: true });
    // Split racing a merge of the same ticket: its messages are gone, which is the conflict to name.
    if (original.mergedIntoId) throw await mergedAway(tx, original);
    if (original.status === 'closed') throw ticketClosed([original.number]);
    const messages = await findMessagesByIds(tx.db, messageIds);
    const foreign = messageIds.filter((id) => !messages.some((m) => m.id === id && m.ticketId === original.id));
    if (foreign.length) throw invalidField('messageIds', `message ${foreign[0]} is not part of ticket #${number}`);
    if (messages.length >= original.messageCount) throw invalidField('messageIds', 'at least one message must stay on the original ticket');
    const [requester] = await getContactsByIds(tx, [original.requesterId]);
    const created = await insertNewTicket(tx, {
      subject: subject ?? original.subject,
      requesterId: original.requesterId,
      organizationId: original.organizationId,
      requesterText: requester ? contactSearchText(requester) : '',
      priority: original.priority,
      type: original.type,
      channel: original.channel,
      assigneeId: original.assigneeId,
      groupId: original.groupId,
      tags: original.tags,
      // Set below as the original holds them: they were checked when they were set, and a field
      // made required or retired since must not stop a split.
      customFields: {},
      requireFields: false,
      splitFromId: original.id,
    });
    await moveMessages(tx.db, messageIds, original.id, created.id);
    await reassignSearchDocs(tx.db, messageIds.map((id) => `m:${id}`), created.id);
    const facts = await conversationFactsOf(tx.db, [original, created]);
    const withMessages: Ticket = { ...withFacts(created, facts), customFields: original.customFields };
    await saveTicket(tx.db, created, withMessages);
    const remaining: Ticket = { ...withFacts(original, facts), updatedAt: tx.now.toISOString() };
    await saveTicket(tx.db, original, remaining);
    await appendTicketEvents(tx.db, [
      ...eventsFrom(tx, original.id, [{ action: 'split_to', from: null, to: { ticketId: created.id, number: created.number, messageIds } }]),
      ...eventsFrom(tx, created.id, [{ action: 'split_from', from: null, to: { ticketId: original.id, number: original.number, messageIds } }]),
    ]);
    await emit(tx, 'ticket.split', { ticketId: created.id, number: created.number, fromTicketId: original.id, fromNumber: original.number });
    return { original: remaining, created: withMessages };
  });
}
