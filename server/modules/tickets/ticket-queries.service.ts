import type { Ctx } from '../../platform/context.js';
import { decodeCursor, encodeCursor, isStoredTimestamp } from '../../platform/http/cursor.js';
import { searchTicketsExactFirst } from '../../platform/search/search.repository.js';
import { getContact } from '../contacts/index.js';
import { listCustomFieldRows } from './custom-fields.repository.js';
import type { FilterAst } from './filter/filter-ast.js';
import { describeFilterFields, type FilterFieldDescription } from './filter/filter-fields.js';
import { parseFilter } from './filter/filter-parser.js';
import { predicatesFor, viewPredicates } from './ticket-filter.js';
import { canSeeTicket } from './tickets.policy.js';
import { filterTicketIds, findTicketPage, findTicketsByIds, findTicketsByRequester, type SortKey, type Ticket, type TicketSort } from './tickets.repository.js';
import { resolveView } from './views.service.js';

/** A key of this sort: a ticket number, or a stored timestamp, so the database compares like with like. */
const isSortKeyOf =
  (sort: TicketSort) =>
  (v: unknown): v is SortKey =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as SortKey).id === 'string' &&
    (sort.startsWith('number_') ? Number.isSafeInteger((v as SortKey).v) : isStoredTimestamp((v as SortKey).v));

export async function listTickets(
  ctx: Ctx,
  input: { q?: string | undefined; view?: string | undefined; sort?: TicketSort | undefined; cursor?: string | undefined; limit: number },
): Promise<{ tickets: Ticket[]; nextCursor: string | null }> {
  const view = input.view ? await resolveView(ctx, input.view) : null;
  const where = await viewPredicates(ctx, view, input.q);
  const sort = input.sort ?? view?.sort ?? 'updated_desc';
  // A position only means something in the list it was taken from.
  const scope = { sort, view: input.view ?? null, q: input.q ?? null };
  const after = decodeCursor('tickets', input.cursor, isSortKeyOf(sort), scope);
  const { tickets, keys } = await findTicketPage(ctx.db, { where, sort, after, limit: input.limit });
  const last = tickets.length === input.limit ? keys[keys.length - 1] : undefined;
  return { tickets, nextCursor: last ? encodeCursor('tickets', last, scope) : null };
}

/**
 * Full-text search, newest match first. The first free word (or phrase) walks the index; every
 * other term, free words included, filters the candidates. So "refund status:open group:billing"
 * works as expected, and "kettle descaling" finds a ticket whose subject has one word and a
 * message the other (the index holds subject and each message as separate rows). Tickets with
 * the word itself come before those that only start with it, so every page size walks the same
 * list (ADR 2).
 */
export async function searchTickets(ctx: Ctx, input: { q: string; cursor?: string | undefined; limit: number }): Promise<{ tickets: Ticket[]; nextCursor: string | null }> {
  const ast = parseFilter(input.q);
  // The parser drops words with nothing searchable in them ("🎉", "*"). Without a filter term
  // left this is a search for nothing, which finds nothing rather than every ticket.
  if (ast.terms.length === 0) return { tickets: [], nextCursor: null };
  const first = ast.terms.find((t) => t.kind === 'text' && !t.negated);
  if (!first || first.kind !== 'text') return listTickets(ctx, { q: input.q, cursor: input.cursor, limit: input.limit });
  // A quote inside the phrase (typed as \") is no searchable character; left in, it would end
  // the phrase early when the text is read again as a search.
  const words = first.phrase ? `"${first.text.replace(/"/g, ' ')}"` : first.text;
  const rest: FilterAst = { terms: ast.terms.filter((t) => t !== first) };
  const where = await predicatesFor(ctx, rest);
  const cursor = decodeCursor('search', input.cursor, isSearchCursor, { q: input.q });
  const { hits, next } = await searchTicketsExactFirst(ctx.db, words, {
    after: cursor ? { key: cursor.k, prefix: cursor.p } : undefined,
    limit: input.limit,
    accept: (ids) => filterTicketIds(ctx.db, where, ids),
  });
  const byId = new Map((await findTicketsByIds(ctx.db, hits.map((h) => h.ticketId))).map((t) => [t.id, t]));
  const tickets = hits.map((h) => byId.get(h.ticketId)).filter((t): t is Ticket => t !== undefined);
  return { tickets, nextCursor: next ? encodeCursor('search', { k: next.key, p: next.prefix }, { q: input.q }) : null };
}

const isSearchCursor = (v: unknown): v is { k: number; p: boolean } =>
  typeof v === 'object' && v !== null && typeof (v as { k?: unknown }).k === 'number' && typeof (v as { p?: unknown }).p === 'boolean';

export async function contactTickets(ctx: Ctx, contactId: string): Promise<Ticket[]> {
  // The contact's own rules answer first: an unknown contact, or one the caller may not see, is a
  // 404 as on GET /contacts/:id, not an empty history that reads as "no tickets yet".
  await getContact(ctx, contactId);
  const tickets = await findTicketsByRequester(ctx.db, contactId, 200);
  return tickets.filter((t) => canSeeTicket(ctx.actor, t));
}

/** The filter language's fields, the active custom fields (`cf.<key>`) included. */
export async function describeFilter(ctx: Ctx): Promise<{ fields: FilterFieldDescription[] }> {
  const custom = (await listCustomFieldRows(ctx.db)).filter((f) => f.active);
  return { fields: describeFilterFields(custom) };
}
