import type { ReportName, ReportResponse, ReportTable } from '../../../contracts/reports.js';
import type { Ctx } from '../../platform/context.js';
import { findUsersByIds, listGroups } from '../auth/index.js';
import { agentsReport, qualityReport, speedReport, timeReport } from './performance.service.js';
import { reportScope, type ReportInput, type ReportScope } from './report-scope.js';
import { csvLine } from './reports-csv.js';
import { ticketExportPage } from './reports.repository.js';
import { slaReport } from './sla-report.service.js';
import { backlogReport, volumeReport } from './volume.service.js';

type Builder = (ctx: Ctx, scope: ReportScope) => Promise<{ tables: ReportTable[]; notes: string[] }>;

const csatReport: Builder = async (ctx, scope) => {
  const q = await qualityReport(ctx, scope);
  const t = q.tables[0]!;
  const keep = new Set(['key', 'resolved', 'rated', 'csatScore', 'csatResponseRate', 'comments']);
  const pick = (r: NonNullable<typeof t.totals>) => ({ cells: Object.fromEntries(Object.entries(r.cells).filter(([k]) => keep.has(k))), links: { resolved: r.links.resolved ?? '' } });
  return {
    tables: [{ ...t, id: 'csat', title: 'Customer satisfaction', columns: t.columns.filter((c) => keep.has(c.key)), rows: t.rows.map(pick), totals: t.totals ? pick(t.totals) : null }],
    notes: q.notes.slice(1),
  };
};

const BUILDERS: Record<ReportName, Builder> = {
  volume: volumeReport,
  speed: speedReport,
  backlog: backlogReport,
  quality: qualityReport,
  agents: agentsReport,
  time: timeReport,
  sla: slaReport,
  csat: csatReport,
};

/** Runs one report for supervisors and admins; every figure carries its ticket-list filter. */
export async function runReport(ctx: Ctx, name: ReportName, input: ReportInput, opts: { live?: boolean } = {}): Promise<ReportResponse> {
  const scope = await reportScope(ctx, input, opts);
  const { tables, notes } = await BUILDERS[name](ctx, scope);
  return { report: name, timeZone: scope.timeZone, from: scope.from, to: scope.to, interval: scope.interval, by: scope.by, filter: scope.filter, tables, notes, generatedAt: ctx.now.toISOString() };
}

const EXPORT_BATCH = 1000;

/**
 * The tickets created in the range, one CSV line each, read in keyset batches: a year of
 * tickets streams out without being held in memory. Checks run before the first byte.
 */
export async function ticketsCsv(ctx: Ctx, input: ReportInput): Promise<AsyncGenerator<string>> {
  const scope = await reportScope(ctx, input);
  const groups = new Map((await listGroups(ctx.db)).map((g) => [g.id, g.name]));
  async function* lines(): AsyncGenerator<string> {
    yield csvLine(['number', 'subject', 'status', 'priority', 'type', 'channel', 'group', 'assignee', 'created_at', 'first_response_at', 'resolved_at', 'first_response_minutes', 'resolution_minutes', 'reopens']);
    let after: { createdAt: string; id: string } | null = null;
    for (;;) {
      const page = await ticketExportPage(ctx.db, scope, after, EXPORT_BATCH);
      if (page.length === 0) return;
      const users = new Map((await findUsersByIds(ctx.db, page.flatMap((t) => (t.assigneeId ? [t.assigneeId] : [])))).map((u) => [u.id, u.name]));
      const minutes = (a: string, b: string | null) => (b ? Math.round((Date.parse(b) - Date.parse(a)) / 6000) / 10 : null);
      let chunk = '';
      for (const t of page) {
        chunk += csvLine([t.number, t.subject, t.status, t.priority, t.type, t.channel, t.groupId ? (groups.get(t.groupId) ?? '') : '', t.assigneeId ? (users.get(t.assigneeId) ?? '') : '', t.createdAt, t.firstResponseAt, t.resolvedAt, minutes(t.createdAt, t.firstResponseAt), minutes(t.createdAt, t.resolvedAt), t.reopenCount]);
      }
      yield chunk;
      const last = page[page.length - 1]!;
      after = { createdAt: last.createdAt, id: last.id };
      if (page.length < EXPORT_BATCH) return;
    }
  }
  return lines();
}
