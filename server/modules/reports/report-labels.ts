import type { ReportDimension } from '../../../contracts/reports.js';
import type { Ctx } from '../../platform/context.js';
import { findUsersByIds, listGroups } from '../auth/index.js';
import { getOrganizationsByIds } from '../contacts/index.js';
import { filterValue } from './report-scope.js';

/** Human labels and drill-down terms for the keys of a split. */
export interface KeyInfo {
  label: string;
  /** The filter-language term selecting this key's tickets, or null when none can. */
  term: string | null;
}

const NONE: Record<ReportDimension, string> = {
  none: 'All tickets',
  channel: '(none)',
  group: 'No group',
  type: '(none)',
  tag: 'No tag',
  priority: '(none)',
  agent: 'Unassigned',
  organization: 'No organization',
};

const DIMENSION: Record<ReportDimension, string> = {
  none: 'Tickets',
  channel: 'Channel',
  group: 'Group',
  type: 'Type',
  tag: 'Tag',
  priority: 'Priority',
  agent: 'Agent',
  organization: 'Organization',
};

/** The heading of a split's key column. */
export const dimensionLabel = (by: ReportDimension): string => DIMENSION[by];

const FIELD: Partial<Record<ReportDimension, string>> = { channel: 'channel', group: 'group', type: 'type', tag: 'tag', priority: 'priority', agent: 'assignee', organization: 'org' };

export async function describeKeys(ctx: Ctx, by: ReportDimension, keys: Iterable<string | null>): Promise<Map<string | null, KeyInfo>> {
  const ids = [...new Set([...keys].filter((k): k is string => k !== null && k !== ''))];
  const names = new Map<string, string>();
  if (by === 'group') for (const g of await listGroups(ctx.db, ids)) names.set(g.id, g.name);
  if (by === 'agent') for (const u of await findUsersByIds(ctx.db, ids)) names.set(u.id, u.name);
  if (by === 'organization') for (const o of await getOrganizationsByIds(ctx, ids)) names.set(o.id, o.name);
  const out = new Map<string | null, KeyInfo>();
  const field = FIELD[by];
  for (const k of [...new Set(keys)]) {
    if (by === 'none') out.set(k, { label: NONE.none, term: null });
    else if (k === null || k === '') {
      const noneTerm = by === 'group' || by === 'agent' || by === 'organization' ? `${field}:none` : null;
      out.set(k, { label: NONE[by], term: noneTerm });
    } else out.set(k, { label: names.get(k) ?? k, term: `${field}:${filterValue(k)}` });
  }
  return out;
}
