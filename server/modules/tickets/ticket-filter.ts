import type { Ctx } from '../../platform/context.js';
import { AppError, forbidden } from '../../platform/errors.js';
import { groupIdsByNames, userIdsByHandles } from '../auth/index.js';
import { contactIdsByEmails, organizationIdsByNames } from '../contacts/index.js';
import { listCustomFieldRows } from './custom-fields.repository.js';
import type { FilterAst, ResolvedFilter } from './filter/filter-ast.js';
import { compileFilter } from './filter/filter-compiler.js';
import { parseFilter } from './filter/filter-parser.js';
import { resolveFilter, type FilterResolvers } from './filter/filter-resolve.js';
import { visibilityScope } from './tickets.policy.js';
import { tagsOnAtMost } from './tags.repository.js';
import { countTickets, type TicketPredicate } from './tickets.repository.js';

/** Up to this many tagged tickets a tag filter drives from the tag index (see the filter compiler). */
const RARE_TAG_TICKETS = 2000;

/** Applying the filter language to tickets: parse, resolve names, compile, add the visibility scope. */

function resolvers(ctx: Ctx, customFields: FilterResolvers['customFields']): FilterResolvers {
  return {
    actorUserId: ctx.actor.type === 'user' ? ctx.actor.id : null,
    actorGroupIds: ctx.actor.type === 'user' ? ctx.actor.groupIds : [],
    userIdsByHandle: (h) => userIdsByHandles(ctx.db, h),
    groupIdsByName: (n) => groupIdsByNames(ctx.db, n),
    contactIdsByEmail: (e) => contactIdsByEmails(ctx.db, e),
    organizationIdsByName: (n) => organizationIdsByNames(ctx.db, n),
    customFields,
    tagsAreRare: (tags) => tagsOnAtMost(ctx.db, tags, RARE_TAG_TICKETS),
  };
}

export async function resolve(ctx: Ctx, ast: FilterAst): Promise<ResolvedFilter> {
  const fields = ast.terms.some((t) => t.kind === 'custom') ? await listCustomFieldRows(ctx.db) : [];
  return resolveFilter(ast, resolvers(ctx, fields));
}

/** Checks a filter expression (saved views), throwing the parser's positioned error. */
export async function validateQuery(ctx: Ctx, query: string): Promise<void> {
  await resolve(ctx, parseFilter(query));
}

/** Visibility scope AND the compiled filter: every ticket query goes through here. */
export async function predicatesFor(ctx: Ctx, ast: FilterAst): Promise<TicketPredicate[]> {
  if (ctx.actor.type === 'customer') throw forbidden('Customers list their tickets in the portal');
  return scoped(ctx, await resolve(ctx, ast));
}

function scoped(ctx: Ctx, filter: ResolvedFilter): TicketPredicate[] {
  const where: TicketPredicate[] = [compileFilter(ctx.db, filter, ctx.now) as TicketPredicate];
  const scope = visibilityScope(ctx.actor);
  if (scope) where.push(scope);
  return where;
}

/**
 * A saved view's filter AND the caller's `q`. Each text is parsed and resolved on its own, so an
 * error's position points into the text it names: a view whose group or user has since been
 * deleted says so, with the view's id, rather than a position in `q` (a removed custom-field
 * option is no error: tickets may still hold it, see the filter resolver).
 * "is:spam" / "is:merged" in either still lifts the default that hides such tickets.
 */
export async function viewPredicates(ctx: Ctx, view: { id: string; name: string; query: string } | null, q: string | undefined): Promise<TicketPredicate[]> {
  if (ctx.actor.type === 'customer') throw forbidden('Customers list their tickets in the portal');
  // One after the other, so the error shown is always the view's first.
  const fromView = view ? await inView(view, () => resolve(ctx, parseFilter(view.query))) : null;
  const fromQ = q ? await resolve(ctx, parseFilter(q)) : null;
  const parts = [fromView, fromQ].filter((f): f is ResolvedFilter => f !== null);
  return scoped(ctx, {
    terms: parts.flatMap((f) => f.terms),
    mentions: { spam: parts.some((f) => f.mentions.spam), merged: parts.some((f) => f.mentions.merged) },
  });
}

/** Runs `fn`, naming the view in a filter error it throws (its position is in the view's query). */
async function inView<T>(view: { id: string; name: string }, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'filter_syntax') throw err;
    const details = typeof err.details === 'object' && err.details !== null ? err.details : {};
    throw new AppError('filter_syntax', `The view "${view.name}" no longer works: ${err.message}`, { ...details, view: view.id });
  }
}

export async function countView(ctx: Ctx, query: string): Promise<number> {
  return countTickets(ctx.db, await predicatesFor(ctx, parseFilter(query)));
}
