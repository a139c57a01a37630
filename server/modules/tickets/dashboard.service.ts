import type { DashboardResponse } from '../../../contracts/workspace.js';
import type { Ctx } from '../../platform/context.js';
import { forbidden } from '../../platform/errors.js';
import { getSettings } from '../auth/index.js';
import { dashboardCounts, type DashboardCounts } from './dashboard.repository.js';
import { visibilityScope } from './tickets.policy.js';
import { zonedDay } from './zoned-day.js';

const withRate = (c: DashboardCounts) => ({ ...c, resolvedWithin24hRate: c.resolvedLast7Days ? c.resolvedWithin24h / c.resolvedLast7Days : null });

/**
 * The workspace's mini dashboard, for the signed-in agent and for everyone. "Today" is the
 * calendar day in the installation time zone; the 24-hour rate looks at the last 7 days.
 * "Everyone" is every ticket the caller may see (spam excluded), the scope of the ticket lists:
 * an agent restricted to groups learns nothing of other groups' work, not even its volume.
 */
export async function getDashboard(ctx: Ctx): Promise<DashboardResponse> {
  if (ctx.actor.type !== 'user') throw forbidden('The dashboard is for agents');
  const { timeZone } = await getSettings(ctx);
  const day = zonedDay(ctx.now, timeZone);
  const counts = await dashboardCounts(ctx.db, {
    me: ctx.actor.id,
    myGroupIds: ctx.actor.groupIds,
    dayFrom: day.from.toISOString(),
    dayTo: day.to.toISOString(),
    weekFrom: new Date(ctx.now.getTime() - 7 * 86400_000).toISOString(),
    scope: visibilityScope(ctx.actor),
  });
  return {
    timeZone,
    today: { from: day.from.toISOString(), to: day.to.toISOString() },
    me: withRate(counts.me),
    everyone: withRate(counts.everyone),
    generatedAt: ctx.now.toISOString(),
  };
}
