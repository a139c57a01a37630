import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Dialog } from '../../components/dialog.js';
import { ErrorState, Loading } from '../../components/states.js';
import { toast, toastError } from '../../components/toast.js';
import { api } from '../../lib/api.js';
import { dateTime } from '../../lib/format.js';
import { t } from '../../lib/i18n.js';
import type { Notice } from './admin-types.js';
import { FormError } from './form-error.js';

/** The notice board: admins post, pin, edit and remove notices (expired ones included); others read the active ones. */
export function NoticesAdmin({ canEdit }: { canEdit: boolean }) {
  const list = useQuery({ queryKey: ['notices', canEdit ? 'all' : 'active'], queryFn: () => api.get<{ items: Notice[] }>('/api/v1/notices', { include: canEdit ? 'all' : 'active' }).then((r) => r.items) });
  const [editing, setEditing] = useState<Notice | 'new' | null>(null);
  if (list.isPending) return <Loading />;
  if (list.isError) return <ErrorState error={list.error} />;
  const now = Date.now();
  return (
    <section>
      {canEdit && <div className="toolbar"><button type="button" className="button primary" onClick={() => setEditing('new')}>{t('notices.new')}</button></div>}
      {list.data.length === 0 ? <p className="muted">{t('notices.none')}</p> : (
        <table className="simple-table">
          <thead><tr><th>{t('notices.title')}</th><th>{t('notices.author')}</th><th>{t('notices.expires')}</th><th /></tr></thead>
          <tbody>
            {list.data.map((n) => (
              <tr key={n.id} data-notice={n.title}>
                <td>
                  {n.title}
                  {n.pinned && <span className="badge">{t('notices.pinnedBadge')}</span>}
                  {n.expiresAt && Date.parse(n.expiresAt) <= now && <span className="badge">{t('notices.expired')}</span>}
                  {n.body && <div className="muted">{n.body}</div>}
                </td>
                <td>{n.author?.name ?? '—'}<div className="muted">{dateTime(n.createdAt)}</div></td>
                <td>{n.expiresAt ? dateTime(n.expiresAt) : t('notices.never')}</td>
                <td className="row-actions">{canEdit && <button type="button" className="button small" onClick={() => setEditing(n)}>{t('common.edit')}</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editing && <NoticeDialog notice={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
    </section>
  );
}

/** datetime-local works in the browser's zone without seconds; the API wants UTC ISO. */
const toLocalInput = (iso: string): string => {
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

function NoticeDialog({ notice, onClose }: { notice: Notice | null; onClose: () => void }) {
  const qc = useQueryClient();
  const [title, setTitle] = useState(notice?.title ?? '');
  const [body, setBody] = useState(notice?.body ?? '');
  const [pinned, setPinned] = useState(notice?.pinned ?? true);
  const [expires, setExpires] = useState(notice?.expiresAt ? toLocalInput(notice.expiresAt) : '');
  const done = () => {
    // The board at the top of the workspace reads ['notices', 'active'].
    void qc.invalidateQueries({ queryKey: ['notices'] });
    toast(t('common.saved'));
    onClose();
  };
  const payload = () => ({ title, body, pinned, expiresAt: expires ? new Date(expires).toISOString() : null });
  const save = useMutation({ mutationFn: () => (notice ? api.patch(`/api/v1/notices/${notice.id}`, payload()) : api.post('/api/v1/notices', payload())), onSuccess: done });
  const remove = useMutation({ mutationFn: () => api.delete(`/api/v1/notices/${notice!.id}`), onSuccess: done, onError: (e) => toastError(e) });
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={notice ? t('notices.edit') : t('notices.new')}>
      <form className="stack" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
        <label className="field"><span>{t('notices.title')}</span><input value={title} onChange={(e) => setTitle(e.target.value)} required autoFocus /></label>
        <label className="field"><span>{t('notices.body')}</span><textarea rows={5} value={body} onChange={(e) => setBody(e.target.value)} /></label>
        <label className="check"><input type="checkbox" checked={pinned} onChange={(e) => setPinned(e.target.checked)} />{t('notices.pinned')}</label>
        <label className="field"><span>{t('notices.expiresAt')}</span><input type="datetime-local" value={expires} onChange={(e) => setExpires(e.target.value)} /></label>
        <FormError error={save.error} />
        <div className="dialog-actions">
          {notice && <button type="button" className="button danger" onClick={() => remove.mutate()}>{t('common.delete')}</button>}
          <span className="spacer" />
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" className="button primary" disabled={!title.trim() || save.isPending}>{t('common.save')}</button>
        </div>
      </form>
    </Dialog>
  );
}
