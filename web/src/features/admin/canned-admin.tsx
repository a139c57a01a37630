import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { Dialog } from '../../components/dialog.js';
import { ErrorState, Loading } from '../../components/states.js';
import { toast, toastError } from '../../components/toast.js';
import { api } from '../../lib/api.js';
import { t } from '../../lib/i18n.js';
import type { CannedResponse } from './admin-types.js';
import { FormError } from './form-error.js';

// Mirrors CANNED_PLACEHOLDERS in contracts/workspace.ts (a value import would bring zod into the bundle).
const PLACEHOLDERS = ['ticket.number', 'ticket.subject', 'ticket.status', 'ticket.priority', 'ticket.type', 'requester.name', 'requester.firstName', 'requester.email', 'agent.name', 'agent.firstName', 'agent.email'];

const placeholdersIn = (body: string): string[] => [...new Set([...body.matchAll(/\{\{\s*([\w.]+)/g)].map((m) => m[1]!))];

/** Canned responses: shared ones (admins write them) and every agent's personal ones. */
export function CannedAdmin({ canEdit }: { canEdit: boolean }) {
  const list = useQuery({ queryKey: ['canned-responses'], queryFn: () => api.get<{ items: CannedResponse[] }>('/api/v1/canned-responses').then((r) => r.items) });
  const [editing, setEditing] = useState<CannedResponse | 'new' | null>(null);
  if (list.isPending) return <Loading />;
  if (list.isError) return <ErrorState error={list.error} />;
  return (
    <section>
      <div className="toolbar"><button type="button" className="button primary" onClick={() => setEditing('new')}>{t('canned.new')}</button></div>
      <p className="muted">{canEdit ? t('canned.introAdmin') : t('canned.introAgent')}</p>
      {list.data.length === 0 ? <p className="muted">{t('canned.none')}</p> : (
        <table className="simple-table">
          <thead><tr><th>{t('canned.title')}</th><th>{t('canned.scope')}</th><th>{t('canned.placeholders')}</th><th /></tr></thead>
          <tbody>
            {list.data.map((c) => (
              <tr key={c.id} data-canned={c.title}>
                <td>{c.title}<div className="muted">{c.body.length > 120 ? `${c.body.slice(0, 120)}…` : c.body}</div></td>
                <td>{c.scope === 'shared' ? t('canned.shared') : t('canned.personal')}</td>
                <td>{placeholdersIn(c.body).map((p) => <code key={p} className="tag">{p}</code>)}</td>
                <td className="row-actions">{(c.scope === 'personal' || canEdit) && <button type="button" className="button small" onClick={() => setEditing(c)}>{t('common.edit')}</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editing && <CannedDialog canned={editing === 'new' ? null : editing} canShare={canEdit} onClose={() => setEditing(null)} />}
    </section>
  );
}

function CannedDialog({ canned, canShare, onClose }: { canned: CannedResponse | null; canShare: boolean; onClose: () => void }) {
  const qc = useQueryClient();
  const [title, setTitle] = useState(canned?.title ?? '');
  const [body, setBody] = useState(canned?.body ?? '');
  const [scope, setScope] = useState<'shared' | 'personal'>(canned?.scope ?? (canShare ? 'shared' : 'personal'));
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const done = () => {
    void qc.invalidateQueries({ queryKey: ['canned-responses'] });
    toast(t('common.saved'));
    onClose();
  };
  const save = useMutation({
    mutationFn: () => (canned ? api.patch(`/api/v1/canned-responses/${canned.id}`, { title, body }) : api.post('/api/v1/canned-responses', { title, body, scope })),
    onSuccess: done,
  });
  const remove = useMutation({ mutationFn: () => api.delete(`/api/v1/canned-responses/${canned!.id}`), onSuccess: done, onError: (e) => toastError(e) });
  const insert = (p: string) => {
    const el = bodyRef.current;
    const at = el?.selectionStart ?? body.length;
    setBody((b) => `${b.slice(0, at)}{{ ${p} }}${b.slice(at)}`);
    el?.focus();
  };
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={canned ? t('canned.edit') : t('canned.new')} wide>
      <form className="stack" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
        <label className="field"><span>{t('canned.title')}</span><input value={title} onChange={(e) => setTitle(e.target.value)} required autoFocus /></label>
        {!canned && canShare && (
          <fieldset className="radio-list">
            <legend>{t('canned.scope')}</legend>
            <label className="check"><input type="radio" name="scope" checked={scope === 'shared'} onChange={() => setScope('shared')} />{t('canned.sharedLong')}</label>
            <label className="check"><input type="radio" name="scope" checked={scope === 'personal'} onChange={() => setScope('personal')} />{t('canned.personalLong')}</label>
          </fieldset>
        )}
        <label className="field"><span>{t('canned.body')}</span><textarea ref={bodyRef} rows={8} value={body} onChange={(e) => setBody(e.target.value)} required /></label>
        <div>
          <p className="hint">{t('canned.placeholdersHint')}</p>
          {PLACEHOLDERS.map((p) => <button key={p} type="button" className="tag" onClick={() => insert(p)}>{`{{ ${p} }}`}</button>)}
        </div>
        <FormError error={save.error} />
        <div className="dialog-actions">
          {canned && <button type="button" className="button danger" onClick={() => remove.mutate()}>{t('common.delete')}</button>}
          <span className="spacer" />
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" className="button primary" disabled={!title.trim() || !body.trim() || save.isPending}>{t('common.save')}</button>
        </div>
      </form>
    </Dialog>
  );
}
