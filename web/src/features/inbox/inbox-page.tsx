import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Icon } from '../../components/icons.js';
import { ErrorState, Loading, Empty } from '../../components/states.js';
import { ApiError } from '../../lib/api.js';
import { DEFAULT_COLUMNS, SORTS } from '../../lib/domain.js';
import { t, tp } from '../../lib/i18n.js';
import { nameOf, useGroups, useViews } from '../../lib/queries.js';
import { navigate, useLocation } from '../../lib/router.js';
import { useShortcuts } from '../../lib/shortcuts.js';
import type { Ticket, ViewSort } from '../../lib/types.js';
import { viewLabel } from '../views/sidebar.js';
import { BulkBar } from './bulk-bar.js';
import { FilterBox } from './filter-box.js';
import { FilterBuilder } from './filter-builder.js';
import { useTicketList, useToggleStar } from './inbox-api.js';
import { SaveViewDialog } from './save-view-dialog.js';
import { TicketTable } from './ticket-table.js';

function urlFor(viewId: string | null, q: string, sort: string | null): string {
  const params = new URLSearchParams();
  if (q.trim()) params.set('q', q.trim());
  if (sort) params.set('sort', sort);
  const s = params.toString();
  return (viewId ? `/views/${encodeURIComponent(viewId)}` : '/tickets') + (s ? `?${s}` : '');
}

/** The queue: a view and/or a filter, keyset-paged as you scroll, with selection and bulk actions. */
export function InboxPage({ viewId }: { viewId: string | null }) {
  const { search } = useLocation();
  const q = search.get('q') ?? '';
  const sortParam = search.get('sort');
  const sort = SORTS.includes(sortParam as ViewSort) ? (sortParam as ViewSort) : null;
  const views = useViews();
  const groups = useGroups();
  const view = viewId ? views.data?.find((v) => v.id === viewId) : undefined;
  const list = useTicketList({ view: viewId, q, sort });
  const star = useToggleStar();
  const [draft, setDraft] = useState(q);
  const [builderOpen, setBuilderOpen] = useState(false);
  const [saveOpen, setSaveOpen] = useState(false);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [cursor, setCursor] = useState(-1);
  const sentinel = useRef<HTMLDivElement>(null);

  const listKey = `${viewId}|${q}|${sort}`;
  const [lastKey, setLastKey] = useState(listKey);
  if (lastKey !== listKey) {
    setLastKey(listKey);
    setDraft(q);
    setSelected(new Set());
    setCursor(-1);
  }

  const tickets: Ticket[] = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const columns = view && !view.predefined ? view.columns : DEFAULT_COLUMNS;
  const effectiveSort: ViewSort = sort ?? view?.sort ?? 'updated_desc';
  const groupName = useCallback((id: string | null) => nameOf(groups.data, id) ?? '', [groups.data]);
  const onSelect = useCallback((n: number, on: boolean) => setSelected((s) => { const next = new Set(s); if (on) next.add(n); else next.delete(n); return next; }), []);
  const onStar = useCallback((tk: Ticket) => star.mutate(tk), [star]);

  useEffect(() => {
    const el = sentinel.current;
    if (!el) return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && list.hasNextPage && !list.isFetchingNextPage) void list.fetchNextPage();
    }, { rootMargin: '400px' });
    io.observe(el);
    return () => io.disconnect();
  }, [list]);

  const moveCursor = (delta: number) => {
    if (tickets.length === 0) return;
    const next = Math.max(0, Math.min(tickets.length - 1, cursor + delta));
    setCursor(next);
    document.querySelector(`tr[data-number="${tickets[next]!.number}"]`)?.scrollIntoView({ block: 'nearest' });
  };
  useShortcuts([
    { key: 'j', help: 'shortcuts.next', run: () => moveCursor(1) },
    { key: 'k', help: 'shortcuts.previous', run: () => moveCursor(-1) },
    { key: 'Enter', help: 'shortcuts.open', run: () => { const tk = tickets[cursor]; if (tk) navigate(`/tickets/${tk.number}`); } },
    { key: 'x', help: 'shortcuts.select', run: () => { const tk = tickets[cursor]; if (tk) onSelect(tk.number, !selected.has(tk.number)); } },
  ]);

  const filterError = list.error instanceof ApiError && (list.error.code === 'filter_syntax' || list.error.code === 'validation_failed' || list.error.code === 'bad_request') ? list.error.message : null;
  const title = view ? viewLabel(view) : t('inbox.searchTitle');
  const savedQuery = [view?.query ?? '', q].filter(Boolean).join(' ');

  return (
    <div className="page inbox">
      <header className="page-header">
        <h1>
          {title}
          {view?.count !== undefined && !q && <span className="header-count">{view.count}</span>}
        </h1>
        <div className="header-actions">
          <select aria-label={t('inbox.sort')} value={effectiveSort} onChange={(e) => navigate(urlFor(viewId, q, e.target.value))}>
            {SORTS.map((s) => (
              <option key={s} value={s}>
                {t(`sort.${s}`)}
              </option>
            ))}
          </select>
          <button type="button" className="button" aria-expanded={builderOpen} onClick={() => setBuilderOpen((o) => !o)}>
            <Icon name="filter" /> {t('filter.builder')}
          </button>
          <button type="button" className="button" onClick={() => setSaveOpen(true)} disabled={!savedQuery}>
            {t('inbox.saveView')}
          </button>
        </div>
      </header>
      <FilterBox value={draft} onChange={setDraft} onSubmit={(v) => navigate(urlFor(viewId, v, sort))} error={filterError} />
      {builderOpen && (
        <FilterBuilder
          onCancel={() => setBuilderOpen(false)}
          onApply={(query) => {
            setBuilderOpen(false);
            navigate(urlFor(viewId, query, sort));
          }}
        />
      )}
      {selected.size > 0 && <BulkBar selected={[...selected]} tickets={tickets} onClear={() => setSelected(new Set())} />}
      <div className="list-area" aria-busy={list.isFetching}>
        {list.isPending ? (
          <Loading />
        ) : list.isError && !filterError ? (
          <ErrorState error={list.error} onRetry={() => void list.refetch()} />
        ) : tickets.length === 0 ? (
          <Empty text={q ? t('inbox.noMatches') : t('inbox.empty')} />
        ) : (
          <TicketTable
            tickets={tickets}
            columns={columns}
            selected={selected}
            cursor={cursor}
            sort={effectiveSort}
            groupName={groupName}
            onSelect={onSelect}
            onSelectAll={(on) => setSelected(on ? new Set(tickets.map((x) => x.number)) : new Set())}
            onStar={onStar}
            onSort={(s) => navigate(urlFor(viewId, q, s))}
          />
        )}
        <div ref={sentinel} className="list-footer">
          {list.hasNextPage ? (
            <button type="button" className="button ghost" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
              {list.isFetchingNextPage ? t('common.loading') : t('inbox.loadMore')}
            </button>
          ) : (
            tickets.length > 0 && <span className="muted">{tp('inbox.shown', tickets.length)}</span>
          )}
        </div>
      </div>
      {saveOpen && <SaveViewDialog open onOpenChange={setSaveOpen} query={savedQuery} sort={effectiveSort} columns={columns} />}
    </div>
  );
}
