import type { Ctx } from '../../platform/context.js';
import { decodeCursor, encodeCursor } from '../../platform/http/cursor.js';
import { searchTicketIds } from '../../platform/search/search.repository.js';
import { listCustomFieldRows } from './custom-fields.repository.js';
import type { FilterAst } from './filter/filter-ast.js';
import { describeFilterFields, type FilterFieldDescription } from './filter/filter-fields.js';
import { parseFilter } from './filter/filter-parser.js';
import { predicatesFor } from './ticket-filter.js';
import { canSeeTicket } from './tickets.policy.js';
import { filterTicketIds, findTicketPage, findTicketsByIds, findTicketsByRequester, type SortKey, type Ticket, type TicketSort } from './tickets.repository.js';
import { resolveView } from './views.service.js';

const isSortKey = (v: unknown): v is SortKey =>
  typeof v === 'object' && v !== null && (typeof (v as SortKey).v === 'string' || typeof (v as SortKey).v === 'number') && typeof (v as SortKey).id === 'string';

export async function listTickets(
  ctx: Ctx,
  input: { q?: string | undefined; view?: string | undefined; sort?: TicketSort | undefined; cursor?: string | undefined; limit: number },
): Promise<{ tickets: Ticket[]; nextCursor: string | null }> {
  const view = input.view ? await resolveView(ctx, input.view) : null;
  // The view's terms and the user's terms form one AST, so "is:spam" in either lifts the spam default.
  const ast: FilterAst = { terms: [...(view ? parseFilter(view.query).terms : []), ...(input.q ? parseFilter(input.q).terms : [])] };
  const where = await predicatesFor(ctx, ast);
  const sort = input.sort ?? view?.sort ?? 'updated_desc';
  const { tickets, keys } = await findTicketPage(ctx.db, { where, sort, after: decodeCursor(input.cursor, isSortKey), limit: input.limit });
  const last = tickets.length === input.limit ? keys[keys.length - 1] : undefined;
  return { tickets, nextCursor: last ? encodeCursor(last) : null };
}

/**
 * Full-text search, newest match first. The first free word (or phrase) walks the index; every
 * other term, free words included, filters the candidates. So "refund status:open group:billing"
 * works as expected, and "kettle descaling" finds a ticket whose subject has one word and a
 * message the other (the index holds subject and each message as separate rows).
 */
export async function searchTickets(ctx: Ctx, input: { q: string; cursor?: string | undefined; limit: number }): Promise<{ tickets: Ticket[]; nextCursor: string | null }> {
  const ast = parseFilter(input.q);
  const first = ast.terms.find((t) => t.kind === 'text' && !t.negated);
  if (!first || first.kind !== 'text') return listTickets(ctx, { q: input.q, cursor: input.cursor, limit: input.limit });
  const words = first.phrase ? `"${first.text}"` : first.text;
  const rest: FilterAst = { terms: ast.terms.filter((t) => t !== first) };
  const where = await predicatesFor(ctx, rest);
  const cursor = decodeCursor(input.cursor, isSearchCursor);
  const run = (prefix: boolean) =>
    searchTicketIds(ctx.db, words, { beforeKey: cursor?.k, limit: input.limit, prefix, accept: (ids) => filterTicketIds(ctx.db, where, ids) });
  // The exact word first: for a common word it is an index walk, while a prefix makes the engine
  // gather every matching term. The prefix runs only when exact matches do not fill the page.
  let prefix = cursor?.p ?? false;
  let hits = await run(prefix);
  if (!cursor && hits.length < input.limit) {
    prefix = true;
    hits = await run(true);
  }
  const byId = new Map((await findTicketsByIds(ctx.db, hits.map((h) => h.ticketId))).map((t) => [t.id, t]));
  const tickets = hits.map((h) => byId.get(h.ticketId)).filter((t): t is Ticket => t !== undefined);
  const last = hits.length === input.limit ? hits[hits.length - 1] : undefined;
  return { tickets, nextCursor: last ? encodeCursor({ k: last.key, p: prefix }) : null };
}

const isSearchCursor = (v: unknown): v is { k: number; p: boolean } =>
  typeof v === 'object' && v !== null && typeof (v as { k?: unknown }).k === 'number' && typeof (v as { p?: unknown }).p === 'boolean';

export async function contactTickets(ctx: Ctx, contactId: string): Promise<Ticket[]> {
  if (ctx.actor.type === 'customer' && ctx.actor.contactId !== contactId) return [];
  const tickets = await findTicketsByRequester(ctx.db, contactId, 200);
  return tickets.filter((t) => canSeeTicket(ctx.actor, t));
}

/** The filter language's fields, the active custom fields (`cf.<key>`) included. */
export async function describeFilter(ctx: Ctx): Promise<{ fields: FilterFieldDescription[] }> {
  const custom = (await listCustomFieldRows(ctx.db)).filter((f) => f.active);
  return { fields: describeFilterFields(custom) };
}
