import type { Kysely } from 'kysely';
import type { SlaTarget } from '../../../contracts/sla.js';
import type { AnyDb } from '../../platform/db/database.js';
import { insertRow, insertRows, prepared } from '../../platform/db/prepared.js';
import { toIso, toIsoOrNull } from '../../platform/db/rows.js';
import type { SlaTables } from './sla.tables.js';

const q = (db: AnyDb) => db as Kysely<SlaTables>;

export interface TargetState {
  target: SlaTarget;
  minutes: number;
  startAt: string;
  pausedMs: number;
  dueAt: string;
  warnAt: string;
  metAt: string | null;
  warnedAt: string | null;
  breachedAt: string | null;
  nextCheckAt: string | null;
}

export interface TicketSlaState {
  ticketId: string;
  policyId: string;
  priority: string;
  appliedBy: 'match' | 'rule';
  pausedAt: string | null;
  targets: TargetState[];
}

const toTarget = (r: SlaTables['ticket_sla_targets']): TargetState => ({
  target: r.target as SlaTarget,
  minutes: Number(r.minutes),
  startAt: toIso(r.start_at),
  pausedMs: Number(r.paused_ms),
  dueAt: toIso(r.due_at),
  warnAt: toIso(r.warn_at),
  metAt: toIsoOrNull(r.met_at),
  warnedAt: toIsoOrNull(r.warned_at),
  breachedAt: toIsoOrNull(r.breached_at),
  nextCheckAt: toIsoOrNull(r.next_check_at),
});

const targetRow = (ticketId: string, t: TargetState): SlaTables['ticket_sla_targets'] => ({
  ticket_id: ticketId,
  target: t.target,
  minutes: t.minutes,
  start_at: t.startAt,
  paused_ms: Math.round(t.pausedMs),
  due_at: t.dueAt,
  warn_at: t.warnAt,
  met_at: t.metAt,
  warned_at: t.warnedAt,
  breached_at: t.breachedAt,
  next_check_at: t.nextCheckAt,
});

// Read and written for every new ticket and every change to one: compiled once.
const headOf = prepared<{ id: string }, SlaTables['ticket_sla']>('ticket_sla.by-ticket', (db, v) => q(db).selectFrom('ticket_sla').selectAll().where('ticket_id', '=', v.id));
const targetsOf = prepared<{ id: string }, SlaTables['ticket_sla_targets']>('ticket_sla_targets.of-ticket', (db, v) => q(db).selectFrom('ticket_sla_targets').selectAll().where('ticket_id', '=', v.id));

const stateOf = (head: SlaTables['ticket_sla'], rows: readonly SlaTables['ticket_sla_targets'][]): TicketSlaState => ({
  ticketId: head.ticket_id,
  policyId: head.policy_id,
  priority: head.priority,
  appliedBy: head.applied_by === 'rule' ? 'rule' : 'match',
  pausedAt: toIsoOrNull(head.paused_at),
  targets: rows.map(toTarget),
});

export async function findTicketSla(db: AnyDb, ticketId: string): Promise<TicketSlaState | undefined> {
  const [head] = await headOf(db, { id: ticketId });
  if (!head) return undefined;
  return stateOf(head, await targetsOf(db, { id: ticketId }));
}

/** The clocks of many tickets, two reads in all; a ticket without clocks is absent. */
export async function findTicketSlas(db: AnyDb, ticketIds: readonly string[]): Promise<Map<string, TicketSlaState>> {
  const out = new Map<string, TicketSlaState>();
  if (ticketIds.length <= 1) {
    const one = ticketIds.length ? await findTicketSla(db, ticketIds[0]!) : undefined;
    if (one) out.set(one.ticketId, one);
    return out;
  }
  const heads = await q(db).selectFrom('ticket_sla').selectAll().where('ticket_id', 'in', [...ticketIds]).execute();
  if (!heads.length) return out;
  const targets = new Map<string, SlaTables['ticket_sla_targets'][]>();
  for (const r of await q(db).selectFrom('ticket_sla_targets').selectAll().where('ticket_id', 'in', heads.map((h) => h.ticket_id)).execute()) {
    const list = targets.get(r.ticket_id);
    if (list) list.push(r);
    else targets.set(r.ticket_id, [r]);
  }
  for (const head of heads) out.set(head.ticket_id, stateOf(head, targets.get(head.ticket_id) ?? []));
  return out;
}

export interface SlaSave {
  before: TicketSlaState | undefined;
  state: TicketSlaState;
  at: string;
}

const headRow = (s: TicketSlaState, at: string) => ({ policy_id: s.policyId, priority: s.priority, applied_by: s.appliedBy, paused_at: s.pausedAt, updated_at: at });

/** Many tickets' states: first clocks inserted together (a run of new tickets), changed ones one by one. */
export async function saveTicketSlas(db: AnyDb, saves: readonly SlaSave[]): Promise<void> {
  const fresh = saves.filter((s) => !s.before);
  await insertRows(q(db), 'ticket_sla', fresh.map(({ state, at }) => ({ ticket_id: state.ticketId, ...headRow(state, at) })));
  await insertRows(q(db), 'ticket_sla_targets', fresh.flatMap(({ state }) => state.targets.map((t) => targetRow(state.ticketId, t))));
  for (const s of saves) if (s.before) await saveTicketSla(db, s.before, s.state, s.at);
}

/** Writes the whole state: head upserted, target rows replaced only where they changed. */
export async function saveTicketSla(db: AnyDb, before: TicketSlaState | undefined, s: TicketSlaState, at: string): Promise<void> {
  const head = headRow(s, at);
  if (before) await q(db).updateTable('ticket_sla').set(head).where('ticket_id', '=', s.ticketId).execute();
  else await insertRow(q(db), 'ticket_sla', { ticket_id: s.ticketId, ...head });
  const old = new Map((before?.targets ?? []).map((t) => [t.target, t]));
  const gone = [...old.keys()].filter((k) => !s.targets.some((t) => t.target === k));
  if (gone.length) await q(db).deleteFrom('ticket_sla_targets').where('ticket_id', '=', s.ticketId).where('target', 'in', gone).execute();
  for (const t of s.targets) {
    const prev = old.get(t.target);
    if (prev && JSON.stringify(prev) === JSON.stringify(t)) continue;
    const row = targetRow(s.ticketId, t);
    if (prev) await q(db).updateTable('ticket_sla_targets').set(row).where('ticket_id', '=', s.ticketId).where('target', '=', t.target).execute();
    else await insertRow(q(db), 'ticket_sla_targets', row);
  }
}

export async function deleteTicketSla(db: AnyDb, ticketId: string): Promise<void> {
  await q(db).deleteFrom('ticket_sla_targets').where('ticket_id', '=', ticketId).execute();
  await q(db).deleteFrom('ticket_sla').where('ticket_id', '=', ticketId).execute();
}

export interface DueCheck extends TargetState {
  ticketId: string;
  policyId: string;
}

/** The sweep: one range of the partial (next_check_at) index, oldest first. */
export async function findDueChecks(db: AnyDb, now: string, limit: number): Promise<DueCheck[]> {
  const rows = await q(db)
    .selectFrom('ticket_sla_targets as t')
    .innerJoin('ticket_sla as s', 's.ticket_id', 't.ticket_id')
    .selectAll('t')
    .select('s.policy_id')
    .where('t.next_check_at', 'is not', null)
    .where('t.next_check_at', '<=', now)
    .orderBy('t.next_check_at')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...toTarget(r), ticketId: r.ticket_id, policyId: r.policy_id }));
}

export async function markChecked(db: AnyDb, ticketId: string, target: SlaTarget, set: { warnedAt: string | null; breachedAt: string | null; nextCheckAt: string | null }): Promise<void> {
  await q(db)
    .updateTable('ticket_sla_targets')
    .set({ warned_at: set.warnedAt, breached_at: set.breachedAt, next_check_at: set.nextCheckAt })
    .where('ticket_id', '=', ticketId)
    .where('target', '=', target)
    .execute();
}

/** Keyset page of ticket ids under a policy (recomputing after the policy changes). */
export async function ticketIdsUnderPolicy(db: AnyDb, policyId: string, afterTicketId: string | null, limit: number): Promise<string[]> {
  let query = q(db).selectFrom('ticket_sla').select('ticket_id').where('policy_id', '=', policyId);
  if (afterTicketId) query = query.where('ticket_id', '>', afterTicketId);
  return (await query.orderBy('ticket_id').limit(limit).execute()).map((r) => r.ticket_id);
}
