import type { z } from 'zod';
import type { ticketSlaResponse } from '../../../contracts/sla.js';
import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { onceInTransaction } from '../../platform/db/transaction-memo.js';
import { forbidden, notFound } from '../../platform/errors.js';
import type { BusinessCalendar } from '../../platform/business-time/business-time.js';
import { findTicketsByIds, getTicket, matchesFilter, parseFilter, resolveTicketFilter, setTicketSlaStates, type Ticket, type TicketSla } from '../tickets/index.js';
import { computeSla, summarize } from './sla-clock.js';
import { findCalendarRow, findPolicyRow, listPolicyRows, type Policy } from './sla-config.repository.js';
import { deleteTicketSla, findTicketSla, findTicketSlas, saveTicketSlas, type SlaSave, type TicketSlaState } from './ticket-sla.repository.js';
import { emit } from '../../platform/events/emit.js';

export interface RefreshOptions {
  /** Choose the policy again by condition (unless a rule applied it). */
  rematch?: boolean;
  /** Apply this policy and keep it (a rule or an agent chose it). */
  policyId?: string;
  customerMessageAt?: string;
  agentReplyAt?: string;
  /** Imported history replayed, or settled once it is all in (see ClockInput.history). */
  history?: 'replay' | 'settle';
}

/**
 * The policies, read once per transaction: a delivered batch of events refreshes many tickets
 * in one (policies are edited in transactions of their own; their tickets follow by a job).
 */
const policies = (ctx: Ctx): Promise<Policy[]> => onceInTransaction(ctx.db, 'sla:policies', () => listPolicyRows(ctx.db));
const policyById = async (ctx: Ctx, id: string): Promise<Policy | undefined> => (await policies(ctx)).find((p) => p.id === id);

/** The first active policy, in order, whose condition holds for the ticket. */
async function matchPolicy(ctx: Ctx, ticket: Ticket): Promise<Policy | undefined> {
  for (const p of await policies(ctx)) {
    if (!p.active) continue;
    if (p.condition === '') return p;
    try {
      const filter = await resolveTicketFilter(ctx, parseFilter(p.condition));
      const facts = { ...ticket, hasAttachments: false, starredBy: [], text: ticket.subject, slaDueAt: ticket.sla?.dueAt ?? null, slaBreached: ticket.sla?.breached ?? false, slaPaused: ticket.sla?.paused ?? false };
      if (matchesFilter(filter, facts, ctx.now)) return p;
    } catch {
      // A condition naming a since-deleted group or field matches nothing rather than stopping every ticket.
    }
  }
  return undefined;
}

async function calendarFor(ctx: Ctx, p: Policy): Promise<BusinessCalendar | null> {
  if (!p.businessTime || !p.calendarId) return null;
  const c = await findCalendarRow(ctx.db, p.calendarId);
  return c ? { timeZone: c.timeZone, weeklyHours: c.weeklyHours, holidays: c.holidays } : null;
}

/**
 * Recomputes one ticket's SLA from its current state (idempotent, so events may repeat) and
 * writes the summary onto the ticket row.
 */
export async function refreshTicketSla(ctx: Ctx, ticketId: string, opts: RefreshOptions = {}): Promise<void> {
  await refreshTicketsSla(ctx, [{ ticketId, now: ctx.now, opts }]);
}

export interface SlaRefresh {
  ticketId: string;
  /** When the change happened (the event's time): clocks start and are judged from it. */
  now: Date;
  opts: RefreshOptions;
}

/**
 * `refreshTicketSla` for many tickets (a run of new tickets): their tickets and clocks are read
 * together and new clocks written together. A ticket named twice is refreshed twice, in order.
 */
export async function refreshTicketsSla(ctx: Ctx, refreshes: readonly SlaRefresh[]): Promise<void> {
  for (const part of distinctTickets(refreshes)) {
    const found = new Map((await findTicketsByIds(ctx.db, part.map((r) => r.ticketId))).map((t) => [t.id, t]));
    const due = part.flatMap((r) => {
      const ticket = found.get(r.ticketId);
      return ticket && !keepsRunning(ticket, r.opts) ? [{ ...r, ticket }] : [];
    });
    const prevs = await findTicketSlas(ctx.db, due.map((r) => r.ticketId));
    const saves: SlaSave[] = [];
    const summaries: { ticketId: string; sla: TicketSla | null }[] = [];
    for (const { ticket, now, opts } of due) {
      const one = { ...ctx, now };
      const prev = prevs.get(ticket.id);
      const next = await nextState(one, ticket, prev, opts);
      if (!next) {
        if (prev) await deleteTicketSla(ctx.db, ticket.id);
        if (ticket.sla) summaries.push({ ticketId: ticket.id, sla: null });
        continue;
      }
      saves.push({ before: prev, state: next, at: now.toISOString() });
      if (opts.history) await emitHistoricBreaches(one, ticket, prev, next);
      const summary = summarize(next, ticket);
      if (JSON.stringify(summary) !== JSON.stringify(ticket.sla)) summaries.push({ ticketId: ticket.id, sla: summary });
    }
    await saveTicketSlas(ctx.db, saves);
    if (summaries.length) await setTicketSlaStates(ctx, summaries);
  }
}

/** Runs in which no ticket appears twice, in order: a later refresh must read what an earlier one wrote. */
function distinctTickets(refreshes: readonly SlaRefresh[]): SlaRefresh[][] {
  const parts: SlaRefresh[][] = [];
  let seen = new Set<string>();
  for (const r of refreshes) {
    if (!parts.length || seen.has(r.ticketId)) {
      parts.push([]);
      seen = new Set();
    }
    seen.add(r.ticketId);
    parts[parts.length - 1]!.push(r);
  }
  return parts;
}

/**
 * A customer message starts a next-response episode only after a first response; any other
 * change it brings (reopened, no longer waiting) is a ticket.updated with a refresh of its own.
 * So a running clock before the first response stays as it is (a ticket without one may match
 * a policy made since, and is refreshed in full).
 */
const keepsRunning = (ticket: Ticket, opts: RefreshOptions): boolean =>
  !!opts.customerMessageAt && !ticket.firstResponseAt && !!ticket.sla && !opts.rematch && !opts.policyId && !opts.agentReplyAt;

/**
 * A merged or spam ticket is left out by every filter that does not name it (is:merged,
 * is:spam), so matching again would move it from its policy to the first one without a
 * condition, with that policy's due times. Its clocks are stopped anyway: it keeps the policy
 * they ran under.
 */
const hiddenFromConditions = (ticket: Ticket): boolean => ticket.mergedIntoId !== null || ticket.spam;

/** The ticket's next clocks, or null when no policy applies. */
async function nextState(ctx: Ctx, ticket: Ticket, prev: TicketSlaState | undefined, opts: RefreshOptions): Promise<TicketSlaState | null> {
  let policy: Policy | undefined;
  let appliedBy: 'match' | 'rule' = 'match';
  if (opts.policyId) {
    policy = await policyById(ctx, opts.policyId);
    if (!policy) throw notFound('SLA policy');
    appliedBy = 'rule';
  } else if (prev && (prev.appliedBy === 'rule' || !opts.rematch || hiddenFromConditions(ticket))) {
    policy = await policyById(ctx, prev.policyId);
    appliedBy = prev.appliedBy;
    if (!policy || (!policy.active && appliedBy === 'match')) {
      policy = await matchPolicy(ctx, ticket);
      appliedBy = 'match';
    }
  } else {
    policy = await matchPolicy(ctx, ticket);
  }
  if (!policy) return null;
  return computeSla(prev, {
    ticket,
    policy,
    calendar: await calendarFor(ctx, policy),
    appliedBy,
    now: ctx.now.toISOString(),
    customerMessageAt: opts.customerMessageAt,
    agentReplyAt: opts.agentReplyAt,
    history: opts.history,
  });
}

/**
 * Imported history records its breaches without a sweep, so no live `sla.breached` says so: the
 * SLA report, which counts breaches from that event, would call the history met. Each breach
 * the history newly records is emitted as history (`imported`): reports count it, and what acts
 * on the present (notices, rules) skips it.
 */
async function emitHistoricBreaches(ctx: Ctx, ticket: Ticket, prev: TicketSlaState | undefined, next: TicketSlaState): Promise<void> {
  for (const t of next.targets) {
    if (!t.breachedAt || prev?.targets.some((p) => p.target === t.target && p.startAt === t.startAt && p.breachedAt)) continue;
    await emit({ ...ctx, imported: true }, 'sla.breached', { ticketId: ticket.id, number: ticket.number, target: t.target, dueAt: t.dueAt, policyId: next.policyId, assigneeId: ticket.assigneeId, groupId: ticket.groupId });
  }
}

/** Applies a policy to a ticket and keeps it there (routing rules, agents); due times follow at once. */
export async function applySlaPolicy(ctx: Ctx, input: { ticketId: string; policyId: string }): Promise<void> {
  if (ctx.actor.type === 'customer') throw forbidden('Only staff may apply SLA policies');
  await inTransaction(ctx, (tx) => refreshTicketSla(tx, input.ticketId, { policyId: input.policyId }));
}

export async function applySlaPolicyByNumber(ctx: Ctx, number: number, policyId: string): Promise<void> {
  if (ctx.actor.type !== 'user' || (ctx.actor.role !== 'admin' && ctx.actor.role !== 'supervisor')) throw forbidden('Only supervisors and administrators may change a ticket SLA policy');
  const ticket = await getTicket(ctx, number);
  await applySlaPolicy(ctx, { ticketId: ticket.id, policyId });
}

/** A ticket's SLA in detail, for whoever may see the ticket. */
export async function getTicketSla(ctx: Ctx, number: number): Promise<z.infer<typeof ticketSlaResponse>> {
  if (ctx.actor.type === 'customer') throw forbidden('Only staff see SLA details');
  const ticket = await getTicket(ctx, number);
  const state = await findTicketSla(ctx.db, ticket.id);
  if (!state) return { policy: null, paused: false, targets: [] };
  const policy = await findPolicyRow(ctx.db, state.policyId);
  return {
    policy: policy ? { id: policy.id, name: policy.name } : null,
    paused: state.pausedAt !== null,
    targets: state.targets.map((t) => ({ target: t.target, minutes: t.minutes, startAt: t.startAt, dueAt: t.dueAt, metAt: t.metAt, warnedAt: t.warnedAt, breachedAt: t.breachedAt })),
  };
}
