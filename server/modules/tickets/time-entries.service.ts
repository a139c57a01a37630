import type { z } from 'zod';
import type { TicketEventAction } from '../../../contracts/tickets.js';
import type { createTimeEntryRequest, TimeEntryResponse, updateTimeEntryRequest } from '../../../contracts/workspace.js';
import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { forbidden, invalidField, notFound } from '../../platform/errors.js';
import { emit } from '../../platform/events/emit.js';
import { uuidv7 } from '../../platform/ids.js';
import { findUsersByIds, getSettings, type StaffActor } from '../auth/index.js';
import { appendTicketEvents } from './ticket-events.repository.js';
import { eventsFrom, getTicket, getTicketOf } from './tickets.service.js';
import type { Ticket } from './tickets.repository.js';
import { deleteTimeEntryRow, findTimeEntry, insertTimeEntry, listTimeEntriesOf, totalMinutesOf, updateTimeEntryRow, type TimeEntry } from './time-entries.repository.js';
import { zonedDay } from './zoned-day.js';
import { mergedAway } from './merged-away.js';

/** Time is logged by agents for themselves; customers never see it. */
function agentOf(ctx: Ctx): StaffActor {
  if (ctx.actor.type !== 'user') throw forbidden('Only agents log time');
  return ctx.actor;
}

// Events carry the numbers, not the note: the history is also shown to the ticket's customer.
const audited = (e: TimeEntry) => ({ entryId: e.id, minutes: e.minutes, date: e.date, userId: e.userId });

async function afterChange(ctx: Ctx, ticket: Ticket, entryId: string, action: TicketEventAction, from: unknown, to: unknown): Promise<void> {
  await appendTicketEvents(ctx.db, eventsFrom(ctx, ticket.id, [{ action, from, to }]));
  await emit(ctx, 'ticket.time_logged', { ticketId: ticket.id, number: ticket.number, entryId, totalMinutes: await totalMinutesOf(ctx.db, ticket.id) });
}

/**
 * An entry records work done: a date after tomorrow is a slip of the keyboard (tomorrow is allowed,
 * since the agent's own day may run ahead of the installation's time zone). 1970 and later is
 * the contract's part.
 */
function assertWorkDate(date: string, today: string): void {
  const tomorrow = new Date(Date.parse(`${today}T00:00:00.000Z`) + 86_400_000).toISOString().slice(0, 10);
  if (date > tomorrow) throw invalidField('date', `is in the future; time is logged for work done (${tomorrow} at the latest)`);
}

const todayOf = async (ctx: Ctx): Promise<string> => zonedDay(ctx.now, (await getSettings(ctx)).timeZone).date;

export async function logTime(ctx: Ctx, number: number, input: z.output<typeof createTimeEntryRequest>): Promise<TimeEntry> {
  const agent = agentOf(ctx);
  const today = await todayOf(ctx);
  const date = input.date ?? today;
  assertWorkDate(date, today);
  return inTransaction(ctx, async (tx) => {
    const ticket = await getTicket(tx, number);
    // The merged ticket's time belongs on the ticket its conversation went on in, as its messages do.
    if (ticket.mergedIntoId) throw await mergedAway(tx, ticket);
    const at = tx.now.toISOString();
    const entry: TimeEntry = { id: uuidv7(tx.now.getTime()), ticketId: ticket.id, userId: agent.id, minutes: input.minutes, note: input.note, date, createdAt: at, updatedAt: at };
    await insertTimeEntry(tx.db, entry);
    await afterChange(tx, ticket, entry.id, 'time_logged', null, audited(entry));
    return entry;
  });
}

export async function listTime(ctx: Ctx, number: number): Promise<{ ticket: Ticket; entries: TimeEntry[] }> {
  agentOf(ctx);
  const ticket = await getTicket(ctx, number);
  return { ticket, entries: await listTimeEntriesOf(ctx.db, ticket.id) };
}

/** An entry of a ticket the actor sees, that they may change: their own (admins: anyone's). */
async function ownEntry(ctx: Ctx, id: string): Promise<{ entry: TimeEntry; ticket: Ticket }> {
  const agent = agentOf(ctx);
  const entry = await findTimeEntry(ctx.db, id);
  if (!entry) throw notFound('Time entry');
  const ticket = await getTicketOf(ctx, entry.ticketId, 'Time entry');
  if (entry.userId !== agent.id && agent.role !== 'admin') throw forbidden('You can change only your own time entries');
  return { entry, ticket };
}

export async function changeTime(ctx: Ctx, id: string, patch: z.output<typeof updateTimeEntryRequest>): Promise<{ entry: TimeEntry; ticket: Ticket }> {
  if (patch.date) assertWorkDate(patch.date, await todayOf(ctx));
  return inTransaction(ctx, async (tx) => {
    const { entry, ticket } = await ownEntry(tx, id);
    const next: TimeEntry = { ...entry, minutes: patch.minutes ?? entry.minutes, note: patch.note ?? entry.note, date: patch.date ?? entry.date, updatedAt: tx.now.toISOString() };
    await updateTimeEntryRow(tx.db, next);
    await afterChange(tx, ticket, entry.id, 'time_entry_changed', audited(entry), audited(next));
    return { entry: next, ticket };
  });
}

export async function deleteTime(ctx: Ctx, id: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const { entry, ticket } = await ownEntry(tx, id);
    await deleteTimeEntryRow(tx.db, entry.id);
    await afterChange(tx, ticket, entry.id, 'time_entry_deleted', audited(entry), null);
  });
}

export async function presentTimeEntries(ctx: Ctx, ticketNumber: number, entries: TimeEntry[]): Promise<TimeEntryResponse[]> {
  const names = new Map((await findUsersByIds(ctx.db, entries.map((e) => e.userId))).map((u) => [u.id, u.name]));
  return entries.map((e) => ({
    id: e.id,
    ticketNumber,
    user: { id: e.userId, name: names.get(e.userId) ?? 'Unknown' },
    minutes: e.minutes,
    note: e.note,
    date: e.date,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  }));
}
