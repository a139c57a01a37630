import { useInfiniteQuery, useMutation, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { toast, toastError } from '../../components/toast.js';
import { api } from '../../lib/api.js';
import { t, tp } from '../../lib/i18n.js';
import type { Page, Ticket, TicketPriority, TicketStatus, ViewSort } from '../../lib/types.js';

export interface ListParams {
  view: string | null;
  q: string;
  sort: ViewSort | null;
}

const PAGE = 50;

/** Keyset pages of the queue, fetched as the agent scrolls; each page asks only for what follows. */
export function useTicketList(params: ListParams) {
  return useInfiniteQuery({
    queryKey: ['tickets', 'list', params],
    queryFn: ({ pageParam, signal }) =>
      api.get<Page<Ticket>>('/api/v1/tickets', { view: params.view, q: params.q.trim(), sort: params.sort, cursor: pageParam, limit: PAGE }, { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    // A live event refetches the list; keep showing the old rows meanwhile.
    placeholderData: (prev) => prev,
  });
}

type ListData = InfiniteData<Page<Ticket>>;

/** Star toggles at once in every list that shows the ticket, and rolls back if the server says no. */
export function useToggleStar() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (tk: Ticket) => api.patch<Ticket>(`/api/v1/tickets/${tk.number}`, { starred: !tk.starred }),
    onMutate: (tk) => {
      const flip = (d: ListData | undefined) =>
        d && { ...d, pages: d.pages.map((p) => ({ ...p, items: p.items.map((x) => (x.id === tk.id ? { ...x, starred: !tk.starred } : x)) })) };
      qc.setQueriesData<ListData>({ queryKey: ['tickets', 'list'] }, flip);
    },
    onError: (err) => toastError(err),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: ['views'] });
    },
  });
}

export interface BulkChanges {
  status?: TicketStatus;
  priority?: TicketPriority;
  assigneeId?: string | null;
  groupId?: string | null;
  addTags?: string[];
  removeTags?: string[];
  spam?: boolean;
}

export function useBulkUpdate(onDone: () => void) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { numbers: number[]; changes: BulkChanges }) => api.post<{ updated: number[] }>('/api/v1/tickets/bulk', input),
    onSuccess: (r) => {
      toast(tp('bulk.updated', r.updated.length));
      onDone();
    },
    onError: (err) => toastError(err),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: ['tickets'] });
      void qc.invalidateQueries({ queryKey: ['ticket'] });
      void qc.invalidateQueries({ queryKey: ['views'] });
    },
  });
}

export function useMerge(onDone: (target: Ticket) => void) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ target, sources }: { target: number; sources: number[] }) => api.post<Ticket>(`/api/v1/tickets/${target}/merge`, { sourceNumbers: sources }),
    onSuccess: (tk, v) => {
      toast(t('merge.done', { sources: v.sources.map((n) => `#${n}`).join(', '), target: `#${tk.number}` }));
      onDone(tk);
    },
    onError: (err) => toastError(err),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: ['tickets'] });
      void qc.invalidateQueries({ queryKey: ['ticket'] });
      void qc.invalidateQueries({ queryKey: ['views'] });
    },
  });
}
