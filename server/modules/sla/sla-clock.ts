import type { PolicyTargets, SlaTarget } from '../../../contracts/sla.js';
import { addTime, timeBetween, type BusinessCalendar } from '../../platform/business-time/business-time.js';
import type { TargetState, TicketSlaState } from './ticket-sla.repository.js';

/** What the clock needs to know about a ticket. */
export interface ClockTicket {
  id: string;
  priority: 'low' | 'medium' | 'high' | 'urgent';
  status: string;
  spam: boolean;
  mergedIntoId: string | null;
  createdAt: string;
  firstResponseAt: string | null;
  resolvedAt: string | null;
}

export interface ClockInput {
  ticket: ClockTicket;
  policy: { id: string; targets: PolicyTargets; warningPercent: number };
  /** null: calendar time (around the clock). */
  calendar: BusinessCalendar | null;
  appliedBy: 'match' | 'rule';
  now: string;
  /** A customer wrote: a next-response episode starts if none is running. */
  customerMessageAt?: string | undefined;
  /** A public agent reply: the running next-response episode is met. */
  agentReplyAt?: string | undefined;
  /**
   * Imports. 'replay': an event of the imported history (`now` is its original time); no check
   * is scheduled yet, as the rest of the history may still meet the target. 'settle': the
   * history is in (`now` is the import's time); a warning or due time already passed is
   * history, recorded at its time without a sweep's event, so nobody is alerted about 2019.
   */
  history?: 'replay' | 'settle' | undefined;
}

const KEYS: Record<SlaTarget, keyof PolicyTargets['low']> = { first_response: 'firstResponse', next_response: 'nextResponse', resolution: 'resolution' };
const MIN = 60_000;
const DAY = 86_400_000;

/**
 * `addTime`, or null when the calendar's open hours never add up to `ms`: the business-time
 * walk gives up after three years (a calendar saved with no open hour, a 1 h/week calendar and a
 * target of months, holidays over every open day). The clock must not throw then: it runs in
 * event subscribers and the recompute job, where one such target would stop every clock with it.
 */
function reachAt(calendar: BusinessCalendar | null, start: Date, ms: number): string | null {
  try {
    return addTime(calendar, start, ms).toISOString();
  } catch (err) {
    if (calendar && err instanceof Error && /no open hours/.test(err.message)) return null;
    throw err;
  }
}

/**
 * Open time of a calendar over the next three years from `from`, in minutes: a target longer
 * than this is refused when a policy or calendar is saved. 365-day years, a little less than
 * the business-time walk's horizon, so a target that passes is always reached.
 */
export function openMinutesWithinThreeYears(calendar: BusinessCalendar, from: Date): number {
  return Math.floor(timeBetween(calendar, from, new Date(from.getTime() + 3 * 365 * DAY)) / MIN);
}

/** The first target of a policy (as `targets.<priority>.<key>`) longer than `openMinutes`, or null. */
export function targetBeyond(targets: PolicyTargets, openMinutes: number): { path: string; minutes: number } | null {
  for (const priority of ['low', 'medium', 'high', 'urgent'] as const) {
    for (const key of ['firstResponse', 'nextResponse', 'resolution'] as const) {
      const m = targets[priority][key];
      if (m !== null && m > openMinutes) return { path: `targets.${priority}.${key}`, minutes: m };
    }
  }
  return null;
}

/** The clock of a ticket no longer runs once it is resolved, closed, spam or merged. */
export const isStopped = (t: ClockTicket): boolean => t.spam || t.mergedIntoId !== null || t.status === 'resolved' || t.status === 'closed';

/**
 * The SLA state of one ticket after a change, from the previous state: pure, so pause/resume,
 * priority changes and policy changes are one computation. Due times follow the current targets
 * plus the open time spent paused. Met times are kept; a warning or breach belongs to the due
 * time it was recorded for, so when re-timing (targets, priority, policy, calendar) moves that
 * due time past the moment the target is judged at (now, or when it was met), both are cleared
 * and the sweep warns and breaches again for the new one. Reports keep the old breach: they
 * count the `sla.breached` events, keyed by due time. A target out of the calendar's reach is
 * left out (see reachAt).
 */
export function computeSla(prev: TicketSlaState | undefined, input: ClockInput): TicketSlaState {
  const { ticket, calendar, now } = input;
  const stopped = isStopped(ticket);
  const waiting = ticket.status === 'waiting' && !stopped;
  let pausedAt = prev?.pausedAt ?? null;
  let resumeShift = 0;
  if (pausedAt && !waiting) {
    resumeShift = timeBetween(calendar, new Date(pausedAt), new Date(now));
    pausedAt = null;
  }
  if (waiting && !pausedAt) pausedAt = now;

  const minutes = input.policy.targets[ticket.priority];
  const targets: TargetState[] = [];
  for (const target of ['first_response', 'next_response', 'resolution'] as const) {
    const m = minutes[KEYS[target]];
    const old = prev?.targets.find((t) => t.target === target);
    if (m === null) continue;
    let startAt = ticket.createdAt;
    let carried = old;
    if (target === 'next_response') {
      // Only a customer message after the first agent reply waits for a next response.
      const newEpisode = input.customerMessageAt && ticket.firstResponseAt && input.customerMessageAt > ticket.firstResponseAt && (!old || old.metAt);
      if (newEpisode) {
        startAt = input.customerMessageAt!;
        carried = undefined;
      } else if (old) startAt = old.startAt;
      else continue;
    }
    const pausedMs = (carried?.pausedMs ?? 0) + (carried && !carried.metAt ? resumeShift : 0);
    let metAt = carried?.metAt ?? null;
    if (!metAt && target === 'first_response') metAt = ticket.firstResponseAt;
    if (!metAt && target === 'resolution' && (ticket.status === 'resolved' || ticket.status === 'closed')) metAt = ticket.resolvedAt ?? now;
    if (!metAt && target === 'next_response' && input.agentReplyAt && input.agentReplyAt >= startAt) metAt = input.agentReplyAt;
    const start = new Date(startAt);
    const dueAt = reachAt(calendar, start, m * MIN + pausedMs);
    if (dueAt === null) continue;
    // Never null when the due time is reached: the warning comes before it.
    const warnAt = reachAt(calendar, start, Math.floor((m * MIN * input.policy.warningPercent) / 100) + pausedMs)!;
    let warnedAt = carried?.warnedAt ?? null;
    let breachedAt = carried?.breachedAt ?? null;
    if (carried && (warnedAt || breachedAt) && dueAt > (metAt ?? now)) {
      // A resumed pause moves the due time too, but leaves the time left as it was when warned:
      // only a due time moved by anything else makes the stamps stale.
      const unpaused = pausedMs === carried.pausedMs ? dueAt : reachAt(calendar, start, m * MIN + carried.pausedMs);
      if (unpaused !== carried.dueAt) {
        warnedAt = null;
        breachedAt = null;
      }
    }
    // A target met late was breached even if no sweep saw it in time; the fact is kept, no event.
    breachedAt ??= metAt && metAt > dueAt ? dueAt : null;
    const running = !metAt && !stopped && !pausedAt;
    if (running && input.history === 'settle') {
      if (!warnedAt && warnAt <= now) warnedAt = warnAt;
      if (!breachedAt && dueAt <= now) breachedAt = dueAt;
    }
    const nextCheckAt = !running || breachedAt || input.history === 'replay' ? null : warnedAt ? dueAt : warnAt;
    targets.push({ target, minutes: m, startAt, pausedMs, dueAt, warnAt, metAt, warnedAt, breachedAt, nextCheckAt });
  }
  return { ticketId: ticket.id, policyId: input.policy.id, priority: ticket.priority, appliedBy: input.appliedBy, pausedAt, targets };
}

/** The ticket row's summary: the unmet target due first (null when none runs). */
export function summarize(state: TicketSlaState | undefined, ticket: ClockTicket): { target: SlaTarget; dueAt: string | null; breached: boolean; paused: boolean } | null {
  if (!state || isStopped(ticket)) return null;
  const unmet = state.targets.filter((t) => !t.metAt).sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : 0));
  const first = unmet[0];
  if (!first) return null;
  const paused = state.pausedAt !== null;
  return { target: first.target, dueAt: paused ? null : first.dueAt, breached: first.breachedAt !== null, paused };
}
