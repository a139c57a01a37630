import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Dialog } from '../../components/dialog.js';
import { toast } from '../../components/toast.js';
import { api, ApiError } from '../../lib/api.js';
import { COLUMNS, DEFAULT_COLUMNS, SORTS } from '../../lib/domain.js';
import { t, type MessageKey } from '../../lib/i18n.js';
import { navigate } from '../../lib/router.js';
import type { View, ViewColumn, ViewSort } from '../../lib/types.js';
import { useSession } from '../auth/session.js';

/** Saves the current filter as a view: personal, or shared with everyone by supervisors and admins. */
export function SaveViewDialog({ open, onOpenChange, query, sort, columns }: { open: boolean; onOpenChange: (o: boolean) => void; query: string; sort: ViewSort; columns: ViewColumn[] }) {
  const { me } = useSession();
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [shared, setShared] = useState(false);
  const [cols, setCols] = useState<ViewColumn[]>(columns.length ? columns : DEFAULT_COLUMNS);
  const [order, setOrder] = useState<ViewSort>(sort);
  const canShare = me.role === 'admin' || me.role === 'supervisor';
  const save = useMutation({
    mutationFn: () => api.post<View>('/api/v1/views', { name: name.trim(), query, shared: shared && canShare, columns: COLUMNS.filter((c) => cols.includes(c)), sort: order }),
    onSuccess: (v) => {
      void qc.invalidateQueries({ queryKey: ['views'] });
      toast(t('saveView.saved', { name: v.name }));
      onOpenChange(false);
      navigate(`/views/${v.id}`);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim() && cols.length) save.mutate();
  };

  return (
    <Dialog open={open} onOpenChange={onOpenChange} title={t('saveView.title')} wide>
      <form className="stack" onSubmit={submit}>
        <label className="field">
          <span>{t('saveView.name')}</span>
          <input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} required autoFocus />
        </label>
        <div className="field">
          <span>{t('saveView.query')}</span>
          <code className="builder-preview">{query || t('saveView.everything')}</code>
        </div>
        <label className="check">
          <input type="checkbox" checked={shared && canShare} disabled={!canShare} onChange={(e) => setShared(e.target.checked)} />
          {canShare ? t('saveView.shared') : t('saveView.sharedNotAllowed')}
        </label>
        <fieldset className="columns-picker">
          <legend>{t('saveView.columns')}</legend>
          {COLUMNS.map((c) => (
            <label key={c} className="check">
              <input type="checkbox" checked={cols.includes(c)} onChange={(e) => setCols((cs) => (e.target.checked ? [...cs, c] : cs.filter((x) => x !== c)))} />
              {t(`column.${c}` as MessageKey)}
            </label>
          ))}
        </fieldset>
        <label className="field">
          <span>{t('saveView.sort')}</span>
          <select value={order} onChange={(e) => setOrder(e.target.value as ViewSort)}>
            {SORTS.map((s) => (
              <option key={s} value={s}>
                {t(`sort.${s}`)}
              </option>
            ))}
          </select>
        </label>
        {save.error && (
          <p className="form-error" role="alert">
            {save.error instanceof ApiError ? save.error.message : t('errors.unexpected')}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={() => onOpenChange(false)}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="button primary" disabled={!name.trim() || cols.length === 0 || save.isPending}>
            {t('saveView.save')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
