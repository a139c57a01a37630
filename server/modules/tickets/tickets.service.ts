import type { Ctx } from '../../platform/context.js';
import { actorRef } from '../../platform/context.js';
import { nextSequenceValues } from '../../platform/db/dialect/sql.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { AppError, invalidField, notFound, withinItem } from '../../platform/errors.js';
import { emit, emitAll } from '../../platform/events/emit.js';
import { uuidv7 } from '../../platform/ids.js';
import { indexNewSearchDocs, indexSearchDoc } from '../../platform/search/search.repository.js';
import { findUsersByIds, groupExists } from '../auth/index.js';
import { assertRequiredFields, validateCustomFields } from './custom-fields.service.js';
import { applyTicketPatch, tagsAfter, type FieldChange, type TicketPatch } from './ticket-changes.js';
import { MAX_TAGS } from '../../../contracts/tickets.js';
import { appendTicketEvents, type TicketEvent } from './ticket-events.repository.js';
import { allowedTransitions, type TicketPriority, type TicketStatus } from './ticket-status.js';
import { assertCanEdit, assertVisible } from './tickets.policy.js';
import { deleteTicketRow, findTicketById, findTicketByNumber, insertTickets, saveTicket, setStar, type Ticket } from './tickets.repository.js';

export interface NewTicket {
  subject: string;
  requesterId: string;
  organizationId: string | null;
  /** Requester name and emails, indexed with the subject for search. */
  requesterText: string;
  status?: TicketStatus | undefined;
  priority: TicketPriority;
  type: string;
  channel: string;
  assigneeId: string | null;
  groupId: string | null;
  tags: string[];
  customFields: Record<string, unknown>;
  splitFromId?: string | null;
  followUpOfId?: string | null;
  /** Imports keep historical timestamps. */
  createdAt?: string | undefined;
  /**
   * Fields required for the type are demanded of agents creating a ticket; a customer writing in
   * (mail, chat, form, SMS) or an import must never be turned away for them. Defaults to "the
   * actor is a staff user".
   */
  requireFields?: boolean | undefined;
  /** The message written with the ticket, counted at insert so the new row is written once. */
  openingMessage?: { kind: 'customer' | 'reply' | 'note'; at: string } | undefined;
}

const byOf = (ctx: Ctx) => {
  const { actorType, actorId } = actorRef(ctx.actor);
  return { type: actorType, id: actorId };
};

export function eventsFrom(ctx: Ctx, ticketId: string, changes: FieldChange[], data: Record<string, unknown> = {}, at = ctx.now.toISOString()): TicketEvent[] {
  const { actorType, actorId } = actorRef(ctx.actor);
  return changes.map((c) => ({ id: uuidv7(ctx.now.getTime()), ticketId, actorType, actorId, action: c.action, from: c.from, to: c.to, data, at }));
}

/** Assignee must be an active staff user and group must exist; both checked in one query each. */
export async function assertAssignable(ctx: Ctx, assigneeId: string | null | undefined, groupId: string | null | undefined): Promise<void> {
  if (assigneeId) {
    const [user] = await findUsersByIds(ctx.db, [assigneeId]);
    if (!user || !user.active || user.role === 'customer') throw invalidField('assigneeId', 'is not an active agent');
  }
  if (groupId && !(await groupExists(ctx.db, groupId))) throw invalidField('groupId', 'unknown group');
}

export const ticketSearchText = (t: Pick<Ticket, 'subject' | 'number'>, requesterText: string): string => `#${t.number} ${t.subject}\n${requesterText}`;

/** Inserts a ticket in the caller's transaction (the conversation use cases add its first message). */
export async function insertNewTicket(ctx: Ctx, input: NewTicket): Promise<Ticket> {
  return (await insertNewTickets(ctx, [input]))[0]!;
}

/**
 * Inserts new tickets in the caller's transaction, set-wise: each table is written in a few
 * multi-row statements for the whole batch, so a batch of a thousand costs about what a dozen
 * single creates do. `itemPath` names an item in errors ("tickets.3"); the first item that
 * fails a check fails the batch.
 */
export async function insertNewTickets(ctx: Ctx, inputs: readonly NewTicket[], opts: { itemPath?: (i: number) => string } = {}): Promise<Ticket[]> {
  if (inputs.length === 0) return [];
  const checked = new Set<string>();
  const customFields: Record<string, unknown>[] = [];
  for (const [i, input] of inputs.entries()) {
    try {
      // Most batches name a handful of agents and groups: each pair is looked up once.
      const pair = `${input.assigneeId ?? ''}/${input.groupId ?? ''}`;
      if (!checked.has(pair)) {
        await assertAssignable(ctx, input.assigneeId, input.groupId);
        checked.add(pair);
      }
      const validated = await validateCustomFields(ctx, input.type, input.customFields, { requireAll: input.requireFields ?? ctx.actor.type === 'user' });
      // null means "no value", as in a patch: nothing is stored for it.
      customFields.push(Object.fromEntries(Object.entries(validated).filter(([, v]) => v !== null)));
    } catch (err) {
      throw withinItem(err, opts.itemPath?.(i));
    }
  }
  const numbers = await nextSequenceValues(ctx.db, 'ticket_number', inputs.length);
  const tickets = inputs.map((input, i) => newTicket(ctx, input, numbers[i]!, customFields[i]!));
  await insertTickets(ctx.db, tickets);
  await appendTicketEvents(
    ctx.db,
    tickets.flatMap((t) => eventsFrom(ctx, t.id, [{ action: 'created', from: null, to: { status: t.status, priority: t.priority, channel: t.channel, assigneeId: t.assigneeId, groupId: t.groupId } }], {}, t.createdAt)),
  );
  await indexNewSearchDocs(ctx.db, tickets.map((t, i) => ({ docKey: `t:${t.id}`, ticketId: t.id, text: ticketSearchText(t, inputs[i]!.requesterText) })));
  await emitAll(ctx, 'ticket.created', tickets.map((t) => ({ ticketId: t.id, number: t.number, channel: t.channel, requesterId: t.requesterId })));
  // Assigned as it is made: the assignee hears of it (and their workspace shows it) as after any assignment.
  const assigned = tickets.filter((t) => t.assigneeId !== null);
  const by = byOf(ctx);
  if (assigned.length) await emitAll(ctx, 'ticket.assigned', assigned.map((t) => ({ ticketId: t.id, number: t.number, from: null, to: t.assigneeId, by })));
  return tickets;
}

function newTicket(ctx: Ctx, input: NewTicket, number: number, customFields: Record<string, unknown>): Ticket {
  const at = input.createdAt ?? ctx.now.toISOString();
  const status = input.status ?? (input.assigneeId ? 'in_progress' : 'open');
  return {
    id: uuidv7(Date.parse(at)),
    number,
    subject: input.subject,
    status,
    priority: input.priority,
    type: input.type,
    channel: input.channel,
    requesterId: input.requesterId,
    organizationId: input.organizationId,
    assigneeId: input.assigneeId,
    groupId: input.groupId,
    spam: false,
    mergedIntoId: null,
    splitFromId: input.splitFromId ?? null,
    followUpOfId: input.followUpOfId ?? null,
    customFields,
    firstResponseAt: input.openingMessage?.kind === 'reply' ? input.openingMessage.at : null,
    resolvedAt: status === 'resolved' || status === 'closed' ? at : null,
    closedAt: status === 'closed' ? at : null,
    reopenCount: 0,
    messageCount: input.openingMessage ? 1 : 0,
    lastMessageAt: input.openingMessage?.at ?? null,
    createdAt: at,
    updatedAt: at,
    tags: [...new Set(input.tags)].sort(),
    sla: null,
  };
}

/**
 * The ticket a conversation goes on in: this one, or the one it was merged into, each step read
 * locked, so a merge committed meanwhile is followed rather than written past (a customer's
 * message would otherwise land on, or open a follow-up of, a ticket that was just merged away).
 */
export async function currentTicketById(ctx: Ctx, id: string): Promise<Ticket> {
  let t = await requireTicketById(ctx, id, { lock: true });
  for (let hops = 0; t.mergedIntoId && hops < 10; hops++) t = await requireTicketById(ctx, t.mergedIntoId, { lock: true });
  return t;
}

/** Finds a ticket the actor may see, or 404. */
export async function getTicket(ctx: Ctx, number: number, opts: { lock?: boolean } = {}): Promise<Ticket> {
  return assertVisible(ctx.actor, await findTicketByNumber(ctx.db, number, opts));
}

/**
 * The ticket a record found by its own id (an attachment, a time entry, an email original)
 * belongs to, if the actor may see it. Otherwise 404 in the record's words ("Attachment not
 * found"), exactly as for an id that does not exist: "Ticket not found" would tell a restricted
 * agent or a customer that the id they tried is real and sits on a ticket they cannot see.
 */
export async function getTicketOf(ctx: Ctx, ticketId: string, notFoundAs: string): Promise<Ticket> {
  return assertVisible(ctx.actor, await findTicketById(ctx.db, ticketId), notFoundAs);
}

/** The spam flag is not part of the conversation's record: it may still change on a closed ticket. */
const FLAG_ACTIONS: ReadonlySet<FieldChange['action']> = new Set(['marked_spam', 'unmarked_spam']);

export const ticketClosed = (numbers: number[]): AppError =>
  new AppError(
    'ticket_closed',
    `${numbers.length === 1 ? 'Ticket' : 'Tickets'} ${numbers.map((n) => `#${n}`).join(', ')} ${numbers.length === 1 ? 'is' : 'are'} closed and can no longer change; ` +
      "open a new ticket for anything further (a customer's reply opens a linked follow-up by itself)",
    { numbers },
  );

/**
 * What a patch would do to a closed ticket beyond its spam flag: nothing, a change of its fields,
 * or a move out of closed. Closed is final (DESIGN.md 10) so reports and what the customer was
 * told stay true; a patch that changes nothing (closing it again, a value it already has) is no edit.
 */
export function closedTicketEdit(ticket: Ticket, patch: TicketPatch, at: string): 'none' | 'change' | 'reopen' {
  if (ticket.status !== 'closed') return 'none';
  const preview = applyTicketPatch(ticket, patch, at);
  if (!preview.ok) return 'reopen';
  return preview.changes.some((c) => !FLAG_ACTIONS.has(c.action)) ? 'change' : 'none';
}

/**
 * Applies a patch with its events and outbox rows; shared by update, bulk, merge and rules. A
 * closed ticket takes no change but its spam flag, whoever asks (a rule's action is skipped);
 * `evenIfClosed` is for bookkeeping that must reach every ticket, such as renaming a tag everywhere.
 */
export async function applyChanges(asked: Ctx, before: Ticket, patch: TicketPatch, data: Record<string, unknown> = {}, opts: { evenIfClosed?: boolean } = {}): Promise<Ticket> {
  // A request's time is taken when it starts; one that then waited for the ticket's lock comes
  // after a change by a request that started later. Its change is never dated before the
  // ticket's last one, so the history, webhooks and updatedAt follow the order of the changes.
  const ctx = !asked.imported && before.updatedAt > asked.now.toISOString() ? { ...asked, now: new Date(before.updatedAt) } : asked;
  const at = ctx.now.toISOString();
  // Before the other checks, so the answer is the one that matters; a move out of closed is
  // answered below as the invalid transition it is, with its (empty) list of allowed moves.
  if (!opts.evenIfClosed && closedTicketEdit(before, patch, at) === 'change') throw ticketClosed([before.number]);
  if (patch.assigneeId !== undefined || patch.groupId !== undefined) await assertAssignable(ctx, patch.assigneeId, patch.groupId);
  if (patch.customFields) {
    patch = { ...patch, customFields: await validateCustomFields(ctx, patch.type ?? before.type, patch.customFields, { requireAll: false }) };
  }
  const result = applyTicketPatch(before, patch, at);
  if (!result.ok) {
    throw new AppError('invalid_transition', `Ticket #${before.number} cannot move from ${result.from} to ${result.to}`, {
      from: result.from,
      to: result.to,
      allowed: allowedTransitions(result.from),
    });
  }
  const { after, changes } = result;
  if (changes.length === 0) return before;
  if (ctx.actor.type === 'user' && changes.some((c) => c.action === 'type_changed' || c.action === 'custom_fields_changed')) await assertRequiredFields(ctx, after.type, after.customFields);
  await saveTicket(ctx.db, before, after);
  await appendTicketEvents(ctx.db, eventsFrom(ctx, after.id, changes, data, at));
  const ref = { ticketId: after.id, number: after.number };
  await emit(ctx, 'ticket.updated', { ...ref, changes: changes.map((c) => c.action) });
  const status = changes.find((c) => c.action === 'status_changed');
  if (status) await emit(ctx, 'ticket.status_changed', { ...ref, from: String(status.from), to: String(status.to) });
  const assigned = changes.find((c) => c.action === 'assigned');
  if (assigned) await emit(ctx, 'ticket.assigned', { ...ref, from: (assigned.from as string | null) ?? null, to: (assigned.to as string | null) ?? null, by: byOf(ctx) });
  return after;
}

/**
 * `requesterText` is called with the transaction: a read on the caller's own handle would wait for
 * a second pooled connection while this one holds the row lock, and enough concurrent subject
 * changes to fill the PostgreSQL pool would then wait on each other forever.
 */
export async function updateTicket(
  ctx: Ctx,
  number: number,
  patch: TicketPatch & { starred?: boolean | undefined },
  requesterText: (tx: Ctx, ticket: Ticket) => Promise<string>,
): Promise<Ticket> {
  const { starred, ...changes } = patch;
  const editing = Object.values(changes).some((v) => v !== undefined);
  if (editing) assertCanEdit(ctx.actor);
  return inTransaction(ctx, async (tx) => {
    const before = await getTicket(tx, number, { lock: true });
    if (starred !== undefined) {
      if (tx.actor.type !== 'user') throw new AppError('forbidden', 'Only agents can star tickets');
      await setStar(tx.db, tx.actor.id, before.id, starred, tx.now.toISOString());
    }
    if (!editing) return before;
    assertTagRoom(before, changes, 'body');
    const after = await applyChanges(tx, before, changes);
    if (after.subject !== before.subject) await indexSearchDoc(tx.db, `t:${after.id}`, after.id, ticketSearchText(after, await requesterText(tx, after)));
    return after;
  });
}

/**
 * An edit may not carry a ticket past MAX_TAGS, as a create may not; a ticket already past it
 * (a merge joins two tickets' tags) may still shed some. Rules and merges are not held to it.
 */
export function assertTagRoom(before: Ticket, patch: TicketPatch, at: string): void {
  if (!patch.tags && !patch.addTags) return;
  const count = tagsAfter(before.tags, patch).length;
  if (count > MAX_TAGS && count > before.tags.length) {
    throw invalidField(`${at}.${patch.addTags ? 'addTags' : 'tags'}`, `a ticket carries at most ${MAX_TAGS} tags; this would give #${before.number} ${count}`);
  }
}

/** A message was added: counters, first response, and the status moves a message implies. */
export async function recordMessageOnTicket(
  ctx: Ctx,
  ticket: Ticket,
  msg: { kind: 'customer' | 'reply' | 'note'; at: string; setStatus?: TicketStatus | undefined },
): Promise<Ticket> {
  // Never back in time: a message that waited for the ticket may be older than the change it waited for.
  const later = (a: string | null) => (a !== null && a > msg.at ? a : msg.at);
  const counted: Ticket = { ...ticket, messageCount: ticket.messageCount + 1, lastMessageAt: later(ticket.lastMessageAt), updatedAt: later(ticket.updatedAt) };
  if (msg.kind === 'reply' && !counted.firstResponseAt) counted.firstResponseAt = msg.at;
  await saveTicket(ctx.db, ticket, counted);
  // The message that opens a ticket is part of its creation: the status chosen at creation stands.
  let status = msg.setStatus;
  // A customer writing back reopens a resolved ticket and ends "waiting on the customer".
  if (!status && msg.kind === 'customer' && (ticket.status === 'resolved' || ticket.status === 'waiting')) {
    status = ticket.assigneeId ? 'in_progress' : 'open';
  }
  if (!status || status === counted.status) return counted;
  return applyChanges(ctx, counted, { status }, { reason: msg.kind === 'customer' ? 'customer_reply' : 'reply' });
}

/**
 * `lock` for a read that a change is made from (see findTicketById): on PostgreSQL an unlocked
 * read may be overtaken by a commit before the change is written, and the change would then be
 * made from a stale ticket (a rule reopening a ticket an agent just closed, a counter losing one).
 */
export async function requireTicketById(ctx: Ctx, id: string, opts: { lock?: boolean } = {}): Promise<Ticket> {
  const t = await findTicketById(ctx.db, id, opts);
  if (!t) throw notFound('Ticket');
  return t;
}

/** Removes the ticket row; its tags, stars and events go with it (foreign keys cascade). */
export async function deleteTicket(ctx: Ctx, ticket: Ticket): Promise<void> {
  await deleteTicketRow(ctx.db, ticket.id);
}
