import type { Kysely } from 'kysely';
import type { TicketEventAction } from '../../../contracts/tickets.js';
import type { AnyDb } from '../../platform/db/database.js';
import { jsonText } from '../../platform/db/dialect/sql.js';
import { jsonParam, toIso, toJson } from '../../platform/db/rows.js';
import type { TicketTables } from './tickets.tables.js';
import { insertRows } from '../../platform/db/prepared.js';

const q = (db: AnyDb) => db as Kysely<TicketTables>;

export interface TicketEvent {
  id: string;
  ticketId: string;
  actorType: string;
  actorId: string | null;
  action: TicketEventAction;
  from: unknown;
  to: unknown;
  data: Record<string, unknown>;
  at: string;
}

/** Append-only: there is no update or delete for ticket events. */
export async function appendTicketEvents(db: AnyDb, events: TicketEvent[]): Promise<void> {
  const rows = events.map((e) => ({
    id: e.id,
    ticket_id: e.ticketId,
    actor_type: e.actorType,
    actor_id: e.actorId,
    action: e.action,
    from_value: e.from === undefined ? null : jsonParam(e.from),
    to_value: e.to === undefined ? null : jsonParam(e.to),
    data: jsonParam(e.data),
    at: e.at,
  }));
  await insertRows(q(db), 'ticket_events', rows);
}

const CUSTOMER_VISIBLE_ACTIONS: TicketEventAction[] = ['created', 'status_changed', 'message_added', 'merged_into', 'merged_from', 'split_from', 'follow_up_opened'];

export async function listTicketEvents(
  db: AnyDb,
  opts: {
    ticketId: string;
    actions?: TicketEventAction[] | undefined;
    from?: string | undefined;
    to?: string | undefined;
    after?: { at: string; id: string } | undefined;
    limit: number;
    /**
     * Customers see only what concerns them: an allow-list, so internal activity added later
     * (time logged, rules, SLA, notes) stays hidden without anyone remembering to hide it.
     */
    customerView?: boolean | undefined;
  },
): Promise<TicketEvent[]> {
  let sel = q(db).selectFrom('ticket_events').selectAll().where('ticket_id', '=', opts.ticketId);
  if (opts.actions?.length) sel = sel.where('action', 'in', opts.actions);
  if (opts.customerView) {
    const kind = jsonText(db, 'to_value', 'kind');
    sel = sel
      .where('action', 'in', CUSTOMER_VISIBLE_ACTIONS)
      .where((eb) => eb.or([eb('action', '!=', 'message_added'), eb(eb.fn.coalesce(kind, eb.val('')), '!=', 'note')]));
  }
  if (opts.from) sel = sel.where('at', '>=', opts.from);
  if (opts.to) sel = sel.where('at', '<=', opts.to);
  if (opts.after) {
    const a = opts.after;
    sel = sel.where((eb) => eb.or([eb('at', '>', a.at), eb.and([eb('at', '=', a.at), eb('id', '>', a.id)])]));
  }
  const rows = await sel.orderBy('at').orderBy('id').limit(opts.limit).execute();
  return rows.map((r) => ({
    id: r.id,
    ticketId: r.ticket_id,
    actorType: r.actor_type,
    actorId: r.actor_id,
    // Only this module writes the column, always one of the actions.
    action: r.action as TicketEventAction,
    from: toJson(r.from_value, null),
    to: toJson(r.to_value, null),
    data: toJson(r.data, {}),
    at: toIso(r.at),
  }));
}
