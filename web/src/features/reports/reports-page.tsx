import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { ReportDimension, ReportName, ReportResponse } from '../../../../contracts/reports.js';
import { ErrorState, Loading } from '../../components/states.js';
import { api, withQuery } from '../../lib/api.js';
import { CHANNELS, PRIORITIES } from '../../lib/domain.js';
import { t } from '../../lib/i18n.js';
import { Link, navigate, useLocation } from '../../lib/router.js';
import { useGroups, useStaff } from '../../lib/queries.js';
import { ReportChart } from './report-chart.js';
import { ReportTableView } from './report-table.js';
import './reports.css';

// Checked against the contract's unions: a report or dimension added there must be added here.
const keys = <K extends string>(o: Record<K, true>): K[] => Object.keys(o) as K[];
const REPORT_NAMES = keys<ReportName>({ volume: true, speed: true, backlog: true, quality: true, agents: true, time: true, sla: true, csat: true });
const REPORT_DIMENSIONS = keys<ReportDimension>({ none: true, channel: true, group: true, type: true, tag: true, priority: true, agent: true, organization: true });

const FILTER_KEYS = ['from', 'to', 'interval', 'by', 'group', 'agent', 'channel', 'priority', 'tag', 'q'] as const;
type Filters = Partial<Record<(typeof FILTER_KEYS)[number], string>>;

const isReport = (s: string): s is ReportName => (REPORT_NAMES as readonly string[]).includes(s);

/** Supervisors' dashboards: one report per tab, charts with their numbers, filters in the URL. */
export function ReportsPage({ report }: { report: string }) {
  const { search } = useLocation();
  const name: ReportName = isReport(report) ? report : 'volume';
  const filters: Filters = Object.fromEntries(FILTER_KEYS.map((k) => [k, search.get(k) ?? undefined]).filter(([, v]) => v));
  const data = useQuery({
    queryKey: ['reports', name, filters],
    queryFn: ({ signal }) => api.get<ReportResponse>(`/api/v1/reports/${name}`, filters, { signal }),
  });
  const qs = withQuery('', filters);
  return (
    <div className="page reports-page">
      <header className="page-header">
        <h1>{t('reports.title')}</h1>
        <div className="header-actions">
          <a className="button" href={`/api/v1/reports/${name}/csv${qs}`} download>{t('reports.csv')}</a>
          <a className="button" href={`/api/v1/reports/tickets.csv${qs}`} download>{t('reports.ticketsCsv')}</a>
        </div>
      </header>
      <nav className="tabs" aria-label={t('reports.title')}>
        {REPORT_NAMES.map((r) => (
          <Link key={r} to={`/reports/${r}${qs}`} className={r === name ? 'tab active' : 'tab'} aria-current={r === name ? 'page' : undefined}>
            {t(`reports.tab.${r}`)}
          </Link>
        ))}
      </nav>
      <FilterBar name={name} filters={filters} key={JSON.stringify(filters)} />
      {data.isPending ? (
        <Loading />
      ) : data.isError ? (
        <ErrorState error={data.error} />
      ) : (
        <>
          <p className="report-meta">
            {t('reports.range', { from: data.data.from, to: data.data.to, zone: data.data.timeZone })}
            {data.data.filter && <> · <code>{data.data.filter}</code></>}
          </p>
          {data.data.tables.map((table) => (
            <section key={table.id} className="report-section" aria-label={table.title}>
              <h2>{table.title}</h2>
              <ReportChart table={table} />
              <ReportTableView table={table} />
            </section>
          ))}
          <ul className="report-notes">
            {data.data.notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function FilterBar({ name, filters }: { name: ReportName; filters: Filters }) {
  const [f, setF] = useState<Filters>(filters);
  const groups = useGroups();
  const staff = useStaff();
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setF((x) => ({ ...x, [k]: e.target.value || undefined }));
  const apply = (e: FormEvent) => {
    e.preventDefault();
    navigate(`/reports/${name}${withQuery('', f)}`);
  };
  return (
    <form className="report-filters" onSubmit={apply}>
      <label>{t('reports.from')}<input type="date" value={f.from ?? ''} onChange={set('from')} /></label>
      <label>{t('reports.to')}<input type="date" value={f.to ?? ''} onChange={set('to')} /></label>
      <label>
        {t('reports.interval')}
        <select value={f.interval ?? 'day'} onChange={set('interval')}>
          {(['day', 'week', 'month'] as const).map((i) => <option key={i} value={i}>{t(`reports.interval.${i}`)}</option>)}
        </select>
      </label>
      <label>
        {t('reports.by')}
        <select value={f.by ?? 'none'} onChange={set('by')} name="by">
          {REPORT_DIMENSIONS.map((d) => <option key={d} value={d}>{t(`reports.by.${d}`)}</option>)}
        </select>
      </label>
      <label>
        {t('reports.group')}
        <select value={f.group ?? ''} onChange={set('group')}>
          <option value="">{t('reports.any')}</option>
          {groups.data?.map((g) => <option key={g.id} value={g.id}>{g.name}</option>)}
        </select>
      </label>
      <label>
        {t('reports.agent')}
        <select value={f.agent ?? ''} onChange={set('agent')}>
          <option value="">{t('reports.any')}</option>
          {staff.data?.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
        </select>
      </label>
      <label>
        {t('reports.channel')}
        <select value={f.channel ?? ''} onChange={set('channel')}>
          <option value="">{t('reports.any')}</option>
          {CHANNELS.map((c) => <option key={c} value={c}>{c}</option>)}
        </select>
      </label>
      <label>
        {t('reports.priority')}
        <select value={f.priority ?? ''} onChange={set('priority')}>
          <option value="">{t('reports.any')}</option>
          {PRIORITIES.map((p) => <option key={p} value={p}>{p}</option>)}
        </select>
      </label>
      <label>{t('reports.tag')}<input value={f.tag ?? ''} onChange={set('tag')} size={10} /></label>
      <label className="report-q">{t('reports.q')}<input value={f.q ?? ''} onChange={set('q')} placeholder="priority>=high -tag:spam" /></label>
      <button type="submit" className="button primary">{t('common.apply')}</button>
    </form>
  );
}
