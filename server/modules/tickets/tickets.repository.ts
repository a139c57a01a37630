import { sql, type ExpressionBuilder, type Expression, type Kysely, type SqlBool } from 'kysely';
import type { AnyDb } from '../../platform/db/database.js';
import { capabilitiesOf, childValuesJson, updateRowsById } from '../../platform/db/dialect/sql.js';
import { jsonParam, toBool, toIso, toIsoOrNull, toJson } from '../../platform/db/rows.js';
import type { TicketTables } from './tickets.tables.js';
import { isActive, type TicketPriority, type TicketStatus } from './ticket-status.js';
import { insertRows, prepared } from '../../platform/db/prepared.js';

const q = (db: AnyDb) => db as Kysely<TicketTables>;
type Row = TicketTables['tickets'];
export type TicketsEb = ExpressionBuilder<TicketTables, 'tickets'>;
export type TicketPredicate = (eb: TicketsEb) => Expression<SqlBool>;

export interface Ticket {
  id: string;
  number: number;
  subject: string;
  status: TicketStatus;
  priority: TicketPriority;
  type: string;
  channel: string;
  requesterId: string;
  organizationId: string | null;
  assigneeId: string | null;
  groupId: string | null;
  spam: boolean;
  mergedIntoId: string | null;
  splitFromId: string | null;
  followUpOfId: string | null;
  customFields: Record<string, unknown>;
  firstResponseAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  reopenCount: number;
  messageCount: number;
  lastMessageAt: string | null;
  createdAt: string;
  updatedAt: string;
  tags: string[];
  /** The next unmet SLA target (denormalised by the sla module), or null when no clock runs. */
  sla: TicketSla | null;
}

export type SlaTargetName = 'first_response' | 'next_response' | 'resolution';

export interface TicketSla {
  target: SlaTargetName;
  /** null while paused (waiting on the customer). */
  dueAt: string | null;
  breached: boolean;
  paused: boolean;
}

function toTicket(r: Row, tags: string[]): Ticket {
  return {
    id: r.id,
    number: Number(r.number),
    subject: r.subject,
    status: r.status as TicketStatus,
    priority: r.priority as TicketPriority,
    type: r.type,
    channel: r.channel,
    requesterId: r.requester_id,
    organizationId: r.organization_id,
    assigneeId: r.assignee_id,
    groupId: r.group_id,
    spam: toBool(r.spam),
    mergedIntoId: r.merged_into_id,
    splitFromId: r.split_from_id,
    followUpOfId: r.follow_up_of_id,
    customFields: toJson<Record<string, unknown>>(r.custom_fields, {}),
    firstResponseAt: toIsoOrNull(r.first_response_at),
    resolvedAt: toIsoOrNull(r.resolved_at),
    closedAt: toIsoOrNull(r.closed_at),
    reopenCount: Number(r.reopen_count),
    messageCount: Number(r.message_count),
    lastMessageAt: toIsoOrNull(r.last_message_at),
    createdAt: toIso(r.created_at),
    updatedAt: toIso(r.updated_at),
    tags: [...tags].sort(),
    sla: r.sla_target ? { target: r.sla_target as SlaTargetName, dueAt: toIsoOrNull(r.sla_due_at), breached: toBool(r.sla_breached), paused: toBool(r.sla_paused) } : null,
  };
}

function toRow(t: Ticket): Row {
  return {
    id: t.id,
    number: t.number,
    subject: t.subject,
    status: t.status,
    is_open: isActive(t.status) ? 1 : 0,
    priority: t.priority,
    type: t.type,
    channel: t.channel,
    requester_id: t.requesterId,
    organization_id: t.organizationId,
    assignee_id: t.assigneeId,
    group_id: t.groupId,
    spam: t.spam ? 1 : 0,
    merged_into_id: t.mergedIntoId,
    split_from_id: t.splitFromId,
    follow_up_of_id: t.followUpOfId,
    custom_fields: jsonParam(t.customFields),
    first_response_at: t.firstResponseAt,
    resolved_at: t.resolvedAt,
    closed_at: t.closedAt,
    reopen_count: t.reopenCount,
    message_count: t.messageCount,
    last_message_at: t.lastMessageAt,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
    sla_target: t.sla?.target ?? null,
    sla_due_at: t.sla?.dueAt ?? null,
    sla_breached: t.sla?.breached ? 1 : 0,
    sla_paused: t.sla?.paused ? 1 : 0,
  };
}

/** New tickets with their tags, a few statements for a whole batch. */
export async function insertTickets(db: AnyDb, tickets: readonly Ticket[]): Promise<void> {
  await insertRows(q(db), 'tickets', tickets.map(toRow));
  await insertRows(q(db), 'ticket_tags', tickets.flatMap((t) => t.tags.map((tag) => ({ ticket_id: t.id, tag }))));
}

/** Writes the changed ticket (tags included) back. */
export async function saveTicket(db: AnyDb, before: Ticket, after: Ticket): Promise<void> {
  // Only changed columns are written: SQLite rewrites every index whose columns are SET.
  const a = toRow(after);
  const b = toRow(before);
  const changes = Object.fromEntries(Object.entries(a).filter(([k, v]) => k !== 'id' && k !== 'number' && v !== b[k as keyof Row]));
  if (Object.keys(changes).length > 0) await q(db).updateTable('tickets').set(changes).where('id', '=', after.id).execute();
  const removed = before.tags.filter((t) => !after.tags.includes(t));
  const added = after.tags.filter((t) => !before.tags.includes(t));
  if (removed.length) await q(db).deleteFrom('ticket_tags').where('ticket_id', '=', after.id).where('tag', 'in', removed).execute();
  if (added.length) await q(db).insertInto('ticket_tags').values(added.map((tag) => ({ ticket_id: after.id, tag }))).execute();
}

async function tagsFor(db: AnyDb, ids: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (ids.length === 0) return out;
  const rows = await q(db).selectFrom('ticket_tags').select(['ticket_id', 'tag']).where('ticket_id', 'in', ids).execute();
  for (const r of rows) out.set(r.ticket_id, [...(out.get(r.ticket_id) ?? []), r.tag]);
  return out;
}

async function hydrate(db: AnyDb, rows: Row[]): Promise<Ticket[]> {
  const tags = await tagsFor(db, rows.map((r) => r.id));
  return rows.map((r) => toTicket(r, tags.get(r.id) ?? []));
}

/** Tickets with their tags in one query (one round trip): for the single-ticket reads every change and event makes. */
const withTags = (db: AnyDb) => q(db).selectFrom('tickets').selectAll().select(childValuesJson(db, 'ticket_tags', 'tag', 'ticket_id', 'tickets.id').as('tags_json'));
const fromTagged = (r: Row & { tags_json: string }): Ticket => toTicket(r, toJson<string[]>(r.tags_json, []));

/** Row lock for read-modify-write on PostgreSQL; SQLite's single writer already serialises. */
function maybeLock<T extends { forUpdate(): T }>(db: AnyDb, query: T, lock: boolean): T {
  return lock && capabilitiesOf(db).rowLocks ? query.forUpdate() : query;
}

// Every change and every event reads its ticket: these run often enough to be compiled once.
const ticketByNumber = prepared<{ number: number }, Row & { tags_json: string }>('tickets.by-number', (db, v) => withTags(db).where('number', '=', v.number));
const ticketById = prepared<{ id: string }, Row & { tags_json: string }>('tickets.by-id', (db, v) => withTags(db).where('id', '=', v.id));

/**
 * A row lock, then the tags in a statement of their own. PostgreSQL re-reads a row it waited to
 * lock, but a subquery of that statement still sees the tags as they were before the other
 * transaction committed; a change made from those would re-add a tag just added, or keep one
 * just removed. Without row locks (SQLite) the one-statement read is already current.
 */
async function findLocked(db: AnyDb, where: { number: number } | { id: string }): Promise<Ticket | undefined> {
  if (!capabilitiesOf(db).rowLocks) {
    const [row] = await ('number' in where ? ticketByNumber(db, where) : ticketById(db, where));
    return row ? fromTagged(row) : undefined;
  }
  const base = q(db).selectFrom('tickets').selectAll();
  const [row] = await ('number' in where ? base.where('number', '=', where.number) : base.where('id', '=', where.id)).forUpdate().execute();
  return row ? (await hydrate(db, [row]))[0] : undefined;
}

export async function findTicketByNumber(db: AnyDb, number: number, opts: { lock?: boolean } = {}): Promise<Ticket | undefined> {
  if (opts.lock) return findLocked(db, { number });
  const [row] = await ticketByNumber(db, { number });
  return row ? fromTagged(row) : undefined;
}

export async function findTicketById(db: AnyDb, id: string, opts: { lock?: boolean } = {}): Promise<Ticket | undefined> {
  if (opts.lock) return findLocked(db, { id });
  const [row] = await ticketById(db, { id });
  return row ? fromTagged(row) : undefined;
}

/**
 * With lock, rows are locked in number order, the one order every path that locks several
 * tickets uses (bulk, merge, the event dispatcher), so none of them can deadlock another.
 */
export async function findTicketsByIds(db: AnyDb, ids: readonly string[], opts: { lock?: boolean } = {}): Promise<Ticket[]> {
  if (ids.length === 0) return [];
  // Most callers (event subscribers, projections) ask for the one ticket an event is about.
  if (ids.length === 1) {
    const one = await findTicketById(db, ids[0]!, opts);
    return one ? [one] : [];
  }
  if (opts.lock && capabilitiesOf(db).rowLocks) {
    // As in findLocked: tags read after the locks are held, not by the locking statement.
    return hydrate(db, await q(db).selectFrom('tickets').selectAll().where('id', 'in', [...new Set(ids)]).orderBy('number').forUpdate().execute());
  }
  return (await withTags(db).where('id', 'in', [...new Set(ids)]).execute()).map(fromTagged);
}

/** Locks in number order so concurrent bulk updates cannot deadlock each other. */
export async function findTicketsByNumbers(db: AnyDb, numbers: readonly number[], opts: { lock?: boolean } = {}): Promise<Ticket[]> {
  if (numbers.length === 0) return [];
  const query = q(db).selectFrom('tickets').selectAll().where('number', 'in', [...new Set(numbers)]).orderBy('number');
  return hydrate(db, await maybeLock(db, query, opts.lock ?? false).execute());
}

export type TicketSort = 'updated_desc' | 'updated_asc' | 'created_desc' | 'created_asc' | 'number_desc' | 'number_asc';
export type SortKey = { v: string | number; id: string };

const SORT_COLUMNS = { updated: 'updated_at', created: 'created_at', number: 'number' } as const;

/** One keyset page: filter, then (sort column, id) strictly after the cursor. */
export async function findTicketPage(
  db: AnyDb,
  opts: { where: TicketPredicate[]; sort: TicketSort; after?: SortKey | undefined; limit: number },
): Promise<{ tickets: Ticket[]; keys: SortKey[] }> {
  const [field, dir] = opts.sort.split('_') as ['updated' | 'created' | 'number', 'asc' | 'desc'];
  const col = SORT_COLUMNS[field];
  let query = q(db).selectFrom('tickets').selectAll();
  for (const w of opts.where) query = query.where(w);
  if (opts.after) {
    const a = opts.after;
    const cmp = dir === 'desc' ? '<' : '>';
    // A row-value comparison is one index range; the OR form makes SQLite scan and sort.
    query = query.where((eb) => eb(eb.refTuple(col, 'id'), cmp, eb.tuple(a.v, a.id)));
  }
  const rows = await query.orderBy(col, dir).orderBy('id', dir).limit(opts.limit).execute();
  const tickets = await hydrate(db, rows);
  return { tickets, keys: rows.map((r) => ({ v: col === 'number' ? Number(r.number) : toIso(r[col]), id: r.id })) };
}

export async function countTickets(db: AnyDb, where: TicketPredicate[]): Promise<number> {
  let query = q(db).selectFrom('tickets').select(sql<number>`count(*)`.as('n'));
  for (const w of where) query = query.where(w);
  return Number((await query.executeTakeFirst())?.n ?? 0);
}

export async function findTicketsByRequester(db: AnyDb, requesterId: string, limit: number): Promise<Ticket[]> {
  const rows = await q(db).selectFrom('tickets').selectAll().where('requester_id', '=', requesterId).orderBy('created_at', 'desc').limit(limit).execute();
  return hydrate(db, rows);
}

/** Numbers of tickets by id, for links (merged into, split from). */
export async function numbersByIds(db: AnyDb, ids: readonly string[]): Promise<Map<string, number>> {
  const unique = [...new Set(ids)].filter(Boolean);
  if (unique.length === 0) return new Map();
  const rows = await q(db).selectFrom('tickets').select(['id', 'number']).where('id', 'in', unique).execute();
  return new Map(rows.map((r) => [r.id, Number(r.number)]));
}

const assigneeById = prepared<{ id: string }, { assignee_id: string | null }>('tickets.assignee-by-id', (db, v) => q(db).selectFrom('tickets').select('assignee_id').where('id', '=', v.id));

/** The assignee of a ticket (null: unassigned; undefined: no such ticket), without the whole row. */
export async function assigneeOf(db: AnyDb, id: string): Promise<string | null | undefined> {
  const [r] = await assigneeById(db, { id });
  return r ? r.assignee_id : undefined;
}

const slaStateUpdate = prepared<{ id: string; target: string | null; dueAt: string | null; breached: number; paused: number }>('tickets.sla-state', (db, v) =>
  q(db).updateTable('tickets').set({ sla_target: v.target, sla_due_at: v.dueAt, sla_breached: v.breached, sla_paused: v.paused }).where('id', '=', v.id),
);

/**
 * Writes the SLA columns only (the sla module owns their meaning); updated_at is left alone so
 * a clock ticking over never reorders the queue.
 */
export async function writeSlaStates(db: AnyDb, states: readonly { ticketId: string; sla: TicketSla | null }[]): Promise<void> {
  const row = ({ ticketId, sla }: { ticketId: string; sla: TicketSla | null }) => ({ id: ticketId, target: sla?.target ?? null, dueAt: sla?.dueAt ?? null, breached: sla?.breached ? 1 : 0, paused: sla?.paused ? 1 : 0 });
  if (states.length === 1) return void (await slaStateUpdate(db, row(states[0]!)));
  const rows = states.map(row).map((r) => [r.id, r.target, r.dueAt, r.breached, r.paused]);
  await updateRowsById(db, 'tickets', ['sla_target', 'sla_due_at', 'sla_breached', 'sla_paused'], rows, { sla_due_at: 'timestamptz', sla_breached: 'integer', sla_paused: 'integer' });
}

// Stars

export async function setStar(db: AnyDb, userId: string, ticketId: string, on: boolean, at: string): Promise<void> {
  if (on) {
    await q(db).insertInto('ticket_stars').values({ user_id: userId, ticket_id: ticketId, created_at: at }).onConflict((oc) => oc.doNothing()).execute();
  } else {
    await q(db).deleteFrom('ticket_stars').where('user_id', '=', userId).where('ticket_id', '=', ticketId).execute();
  }
}

export async function starredAmong(db: AnyDb, userId: string, ticketIds: readonly string[]): Promise<Set<string>> {
  if (ticketIds.length === 0) return new Set();
  const rows = await q(db).selectFrom('ticket_stars').select('ticket_id').where('user_id', '=', userId).where('ticket_id', 'in', [...ticketIds]).execute();
  return new Set(rows.map((r) => r.ticket_id));
}

export async function deleteTicketRow(db: AnyDb, id: string): Promise<void> {
  await q(db).deleteFrom('tickets').where('id', '=', id).execute();
}

/** Subject and number of every ticket of a requester, for re-indexing after a contact change. */
export async function ticketHeadsByRequester(db: AnyDb, requesterId: string): Promise<{ id: string; number: number; subject: string }[]> {
  const rows = await q(db).selectFrom('tickets').select(['id', 'number', 'subject']).where('requester_id', '=', requesterId).execute();
  return rows.map((r) => ({ id: r.id, number: Number(r.number), subject: r.subject }));
}

/** Takes every ticket out of a group (it was deleted); answers which tickets were in it. */
export async function clearTicketGroup(db: AnyDb, groupId: string, at: string): Promise<{ id: string; number: number }[]> {
  const rows = await q(db).updateTable('tickets').set({ group_id: null, updated_at: at }).where('group_id', '=', groupId).returning(['id', 'number']).execute();
  return rows.map((r) => ({ id: r.id, number: Number(r.number) }));
}

export async function clearTicketOrganization(db: AnyDb, organizationId: string, at: string): Promise<{ id: string; number: number }[]> {
  const rows = await q(db).updateTable('tickets').set({ organization_id: null, updated_at: at }).where('organization_id', '=', organizationId).returning(['id', 'number']).execute();
  return rows.map((r) => ({ id: r.id, number: Number(r.number) }));
}

/** Locks these tickets in number order (PostgreSQL; SQLite has one writer) without reading them. */
export async function lockTicketsInNumberOrder(db: AnyDb, ids: readonly string[]): Promise<void> {
  if (ids.length === 0 || !capabilitiesOf(db).rowLocks) return;
  await q(db).selectFrom('tickets').select('id').where('id', 'in', [...new Set(ids)]).orderBy('number').forUpdate().execute();
}

/** Ticket heads in id order after `afterId` (the search index upgrade walks them). */
export async function ticketHeadsAfter(db: AnyDb, afterId: string | null, limit: number): Promise<{ id: string; number: number; subject: string; requesterId: string }[]> {
  let sel = q(db).selectFrom('tickets').select(['id', 'number', 'subject', 'requester_id']);
  if (afterId !== null) sel = sel.where('id', '>', afterId);
  const rows = await sel.orderBy('id').limit(limit).execute();
  return rows.map((r) => ({ id: r.id, number: Number(r.number), subject: r.subject, requesterId: r.requester_id }));
}

/** Which of these ticket ids pass the filter (search candidates), without loading the rows. */
export async function filterTicketIds(db: AnyDb, where: TicketPredicate[], ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  let query = q(db).selectFrom('tickets').select('id').where('id', 'in', [...ids]);
  for (const w of where) query = query.where(w);
  return new Set((await query.execute()).map((r) => r.id));
}
