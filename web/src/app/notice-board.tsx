import { useQuery } from '@tanstack/react-query';
import type { NoticeResponse } from '../../../contracts/workspace.js';
import { api } from '../lib/api.js';
import { t } from '../lib/i18n.js';

export const NOTICES_KEY = ['notices', 'active'] as const;

/** The internal notice board: pinned, unexpired notices above every page of the workspace. */
export function NoticeBoard() {
  // Notices change rarely and have no live event; a slow poll keeps an open workspace current.
  const notices = useQuery({ queryKey: NOTICES_KEY, queryFn: () => api.get<{ items: NoticeResponse[] }>('/api/v1/notices').then((r) => r.items), refetchInterval: 120_000, staleTime: 60_000 });
  const pinned = (notices.data ?? []).filter((n) => n.pinned);
  if (pinned.length === 0) return null;
  return (
    <section className="notice-board" aria-label={t('notices.board')}>
      {pinned.map((n) => (
        <article key={n.id} className="pinned-notice" data-notice={n.title}>
          <strong>{n.title}</strong>
          {n.author && <span className="muted"> · {n.author.name}</span>}
          {n.body && <p>{n.body}</p>}
        </article>
      ))}
    </section>
  );
}
