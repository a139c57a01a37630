import type { Ctx } from '../../platform/context.js';
import { forbidden } from '../../platform/errors.js';
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
  const filter = await resolve(ctx, ast);
  const where: TicketPredicate[] = [compileFilter(ctx.db, filter, ctx.now) as TicketPredicate];
  const scope = visibilityScope(ctx.actor);
  if (scope) where.push(scope);
  return where;
}

export async function countView(ctx: Ctx, query: string): Promise<number> {
  return countTickets(ctx.db, await predicatesFor(ctx, parseFilter(query)));
}
