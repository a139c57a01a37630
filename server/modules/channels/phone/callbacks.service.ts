import type { z } from 'zod';
import type { callbacksQuery, createCallbackRequest, updateCallbackRequest } from '../../../../contracts/phone.js';
import type { Ctx } from '../../../platform/context.js';
import { inTransaction } from '../../../platform/db/transaction.js';
import { AppError, forbidden, invalidField, notFound } from '../../../platform/errors.js';
import { emit } from '../../../platform/events/emit.js';
import { uuidv7 } from '../../../platform/ids.js';
import { enqueue } from '../../../platform/jobs/define-job.js';
import { getUsersByIds, requireStaff } from '../../auth/index.js';
import { getContactsByIds, normalizePhone } from '../../contacts/index.js';
import { canSeeTicket, findTicketsByIds, getTicket, getTicketOf, requireTicketById, type Ticket } from '../../tickets/index.js';
import { callbackDueShape } from './callbacks.job.js';
import { findCallback, insertCallback, listCallbackRows, saveCallback, type Callback, type CallbackStatus } from './phone.repository.js';

export type CallbackWithTicket = Callback & { ticket: Pick<Ticket, 'number' | 'subject'> };

const isSupervisor = (ctx: Ctx): boolean => ctx.actor.type === 'system' || (ctx.actor.type === 'user' && (ctx.actor.role === 'admin' || ctx.actor.role === 'supervisor'));

async function assertAgent(ctx: Ctx, userId: string): Promise<void> {
  const [user] = await getUsersByIds(ctx, [userId]);
  if (!user || !user.active || user.role === 'customer') throw invalidField('userId', 'is not an active agent');
}

/** The job that fires at the due time; a rescheduled callback gets a new one and the old one finds nothing to do. */
async function scheduleDue(ctx: Ctx, c: Callback): Promise<void> {
  await enqueue(ctx, callbackDueShape, { callbackId: c.id }, { runAt: new Date(c.dueAt), uniqueKey: `callback-due:${c.id}:${c.dueAt}` });
}

export async function createCallback(ctx: Ctx, input: z.output<typeof createCallbackRequest>): Promise<CallbackWithTicket> {
  requireStaff(ctx.actor);
  const actor = ctx.actor;
  const userId = input.userId ?? (actor.type === 'user' ? actor.id : undefined);
  if (!userId) throw invalidField('userId', 'is required');
  if (actor.type === 'user' && userId !== actor.id && !isSupervisor(ctx)) throw forbidden('Only supervisors book callbacks for other agents');
  return inTransaction(ctx, async (tx) => {
    const ticket = await getTicket(tx, input.ticketNumber);
    await assertAgent(tx, userId);
    let number = input.number ? normalizePhone(input.number) : undefined;
    if (!number) {
      const [requester] = await getContactsByIds(tx, [ticket.requesterId]);
      number = requester?.phones[0];
    }
    if (!number) throw invalidField('number', 'the requester has no phone number; give one');
    const at = tx.now.toISOString();
    const dueAt = new Date(input.dueAt).toISOString();
    const callback: Callback = { id: uuidv7(tx.now.getTime()), ticketId: ticket.id, userId, number, notes: input.notes, dueAt, status: 'scheduled', notifiedAt: null, createdBy: actor.type === 'user' ? actor.id : null, createdAt: at, updatedAt: at };
    await insertCallback(tx.db, callback);
    await scheduleDue(tx, callback);
    return { ...callback, ticket: { number: ticket.number, subject: ticket.subject } };
  });
}

const STATUS_FILTER: Record<z.output<typeof callbacksQuery>['status'], CallbackStatus[]> = {
  open: ['scheduled', 'due'],
  done: ['done'],
  cancelled: ['cancelled'],
  all: ['scheduled', 'due', 'done', 'cancelled'],
};

/**
 * An agent's callbacks, soonest first; supervisors may look at anyone's or everyone's. Callbacks
 * on tickets the caller cannot see are left out: each one names its ticket's number and subject.
 */
export async function listCallbacks(ctx: Ctx, query: z.output<typeof callbacksQuery>): Promise<CallbackWithTicket[]> {
  requireStaff(ctx.actor);
  const self = ctx.actor.type === 'user' ? ctx.actor.id : null;
  const userId = query.user === 'me' ? self : query.user === 'all' ? null : query.user;
  if (userId !== self && !isSupervisor(ctx)) throw forbidden("Only supervisors see other agents' callbacks");
  const rows = await listCallbackRows(ctx.db, { userId, statuses: STATUS_FILTER[query.status], limit: 500 });
  const tickets = new Map((await findTicketsByIds(ctx.db, [...new Set(rows.map((r) => r.ticketId))])).map((t) => [t.id, t]));
  return rows.flatMap((r) => {
    const t = tickets.get(r.ticketId);
    return t && canSeeTicket(ctx.actor, t) ? [{ ...r, ticket: { number: t.number, subject: t.subject } }] : [];
  });
}

export async function updateCallback(ctx: Ctx, id: string, input: z.output<typeof updateCallbackRequest>): Promise<CallbackWithTicket> {
  requireStaff(ctx.actor);
  return inTransaction(ctx, async (tx) => {
    const before = await findCallback(tx.db, id, { lock: true });
    if (!before) throw notFound('Callback');
    if (tx.actor.type === 'user' && before.userId !== tx.actor.id && !isSupervisor(tx)) throw notFound('Callback');
    // A callback on a ticket the caller cannot see answers as one that does not exist.
    const ticket = await getTicketOf(tx, before.ticketId, 'Callback');
    let next: Callback = { ...before, updatedAt: tx.now.toISOString() };
    if (input.dueAt) {
      if (before.status === 'done' || before.status === 'cancelled') throw new AppError('conflict', 'A finished callback cannot be moved; book a new one');
      next = { ...next, dueAt: new Date(input.dueAt).toISOString(), status: 'scheduled', notifiedAt: null };
    }
    if (input.status) next = { ...next, status: input.status };
    await saveCallback(tx.db, next);
    if (next.status === 'scheduled' && next.dueAt !== before.dueAt) await scheduleDue(tx, next);
    return { ...next, ticket: { number: ticket.number, subject: ticket.subject } };
  });
}

/** Fires a callback whose time came: once, and only if it is still booked for that time. */
export async function fireCallbackIfDue(ctx: Ctx, callbackId: string): Promise<boolean> {
  return inTransaction(ctx, async (tx) => {
    const c = await findCallback(tx.db, callbackId, { lock: true });
    if (!c || c.status !== 'scheduled' || c.dueAt > tx.now.toISOString()) return false;
    const ticket = await requireTicketById(tx, c.ticketId);
    await saveCallback(tx.db, { ...c, status: 'due', notifiedAt: tx.now.toISOString(), updatedAt: tx.now.toISOString() });
    await emit(tx, 'callback.due', { callbackId: c.id, ticketId: ticket.id, number: ticket.number, userId: c.userId, dueAt: c.dueAt });
    return true;
  });
}
