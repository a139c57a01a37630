import type { z } from 'zod';
import type { ReportDimension, reportQuery } from '../../../contracts/reports.js';
import type { Ctx } from '../../platform/context.js';
import { invalidField } from '../../platform/errors.js';
import { getSettings, requireSupervisor } from '../auth/index.js';
import { parseFilter, predicatesFor, type TicketPredicate } from '../tickets/index.js';
import { addDays, localDateOf, offsetSegments, startOfLocalDate, type Interval, type OffsetSegment } from './time-buckets.js';

export type ReportInput = z.output<typeof reportQuery>;

/** What every report query runs over: the range in the account zone and the ticket predicates. */
export interface ReportScope {
  timeZone: string;
  from: string;
  to: string;
  /** [fromAt, toAt): the instants the local days from..to cover. */
  fromAt: string;
  toAt: string;
  stretches: OffsetSegment[];
  interval: Interval;
  by: ReportDimension;
  /** The filter expression (without dates) the figures were computed over. */
  filter: string;
  where: TicketPredicate[];
  now: Date;
  /** No visibility scope applies (admins, unrestricted staff): rollups hold the same tickets. */
  unrestricted: boolean;
  /** Force the live queries (tests compare them with the rollups). */
  live: boolean;
  /** Business calendar for durations in business hours; null: calendar time. */
  calendarId: string | null;
}

const MAX_DAYS = 732;

/** A value as the filter language reads it: bare when safe, quoted otherwise. */
export const filterValue = (v: string): string => (/^[\w.@+-]+$/.test(v) ? v : `"${v.replace(/"/g, '')}"`);

const listTerm = (field: string, raw: string | undefined): string | null => {
  const values = (raw ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  return values.length ? `${field}:${values.map(filterValue).join(',')}` : null;
};

/** The structured filters of a report, spelled in the filter language, ANDed with `q`. */
export function filterExpression(input: ReportInput): string {
  const terms = [
    input.q?.trim() || null,
    listTerm('group', input.group),
    listTerm('assignee', input.agent),
    listTerm('channel', input.channel),
    listTerm('priority', input.priority),
    listTerm('tag', input.tag),
  ];
  return terms.filter((t): t is string => t !== null).join(' ');
}

/** Checks the caller, resolves dates in the account zone and compiles the filter. */
export async function reportScope(ctx: Ctx, input: ReportInput, opts: { live?: boolean } = {}): Promise<ReportScope> {
  requireSupervisor(ctx.actor);
  const { timeZone } = await getSettings(ctx);
  const to = input.to ?? localDateOf(timeZone, ctx.now);
  const from = input.from ?? addDays(to, -29);
  if (from > to) throw invalidField('from', 'must not be after to');
  if (Date.parse(to) - Date.parse(from) > MAX_DAYS * 86_400_000) throw invalidField('from', `a report covers at most ${MAX_DAYS} days`);
  const fromAt = startOfLocalDate(timeZone, from);
  const toAt = startOfLocalDate(timeZone, addDays(to, 1));
  const filter = filterExpression(input);
  const where = await predicatesFor(ctx, parseFilter(filter));
  return {
    timeZone,
    from,
    to,
    fromAt: fromAt.toISOString(),
    toAt: toAt.toISOString(),
    // A day either side, so instants near the ends fall in the right stretch.
    stretches: offsetSegments(timeZone, new Date(fromAt.getTime() - 86_400_000), new Date(toAt.getTime() + 86_400_000)),
    interval: input.interval,
    by: input.by,
    filter,
    where,
    now: ctx.now,
    unrestricted: ctx.actor.type === 'system' || (ctx.actor.type === 'user' && (ctx.actor.role === 'admin' || !ctx.actor.restricted)),
    live: opts.live ?? false,
    calendarId: input.calendar ?? null,
  };
}

/** A drill-down expression: the report's filter plus more terms (a dimension, a time range). */
export function drill(scope: Pick<ReportScope, 'filter'>, ...terms: (string | null)[]): string {
  return [scope.filter, ...terms].filter((t) => t && t.length > 0).join(' ');
}

/** `created>=A created<B` for a local-day span [first, last]. */
export function rangeTerms(timeZone: string, field: 'created' | 'resolved' | 'updated', first: string, last: string): string {
  const a = startOfLocalDate(timeZone, first).toISOString();
  const b = startOfLocalDate(timeZone, addDays(last, 1)).toISOString();
  return `${field}>=${a} ${field}<${b}`;
}
