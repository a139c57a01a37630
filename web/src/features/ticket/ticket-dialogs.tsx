import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Dialog } from '../../components/dialog.js';
import { toast, toastError } from '../../components/toast.js';
import { api, ApiError } from '../../lib/api.js';
import { t } from '../../lib/i18n.js';
import { useGroups, useStaff } from '../../lib/queries.js';
import { navigate } from '../../lib/router.js';
import type { Message, Ticket } from '../../lib/types.js';
import { useMerge } from '../inbox/inbox-api.js';
import { refreshAround } from './ticket-api.js';

type Props = { ticket: Ticket; onClose: () => void };

/** Merge this ticket into another one (its messages move there; this one is closed). */
export function MergeDialog({ ticket, onClose }: Props) {
  const [target, setTarget] = useState('');
  const n = Number(target.replace(/^#/, ''));
  const merge = useMerge((tk) => {
    onClose();
    navigate(`/tickets/${tk.number}`);
  });
  const valid = Number.isInteger(n) && n > 0 && n !== ticket.number;
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={t('merge.titleOne', { number: ticket.number })}>
      <form className="stack" onSubmit={(e) => { e.preventDefault(); if (valid) merge.mutate({ target: n, sources: [ticket.number] }); }}>
        <label className="field">
          <span>{t('merge.intoNumber')}</span>
          <input inputMode="numeric" value={target} onChange={(e) => setTarget(e.target.value)} placeholder="#1042" autoFocus />
        </label>
        <p className="hint">{t('merge.explain')}</p>
        {merge.error && <p className="form-error" role="alert">{merge.error instanceof ApiError ? merge.error.message : t('errors.unexpected')}</p>}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" className="button primary" disabled={!valid || merge.isPending}>{t('merge.confirm', { target: valid ? `#${n}` : '…' })}</button>
        </div>
      </form>
    </Dialog>
  );
}

/** Move chosen messages into a new ticket linked to this one. */
export function SplitDialog({ ticket, messages, onClose }: Props & { messages: Message[] }) {
  const qc = useQueryClient();
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [subject, setSubject] = useState(ticket.subject);
  const split = useMutation({
    mutationFn: () => api.post<{ original: Ticket; created: Ticket }>(`/api/v1/tickets/${ticket.number}/split`, { messageIds: [...chosen], subject: subject.trim() || undefined }),
    onSuccess: (r) => {
      refreshAround(qc, ticket.number);
      toast(t('split.done', { number: r.created.number }));
      onClose();
      navigate(`/tickets/${r.created.number}`);
    },
    onError: (err) => toastError(err),
  });
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={t('split.title')} wide>
      <p>{t('split.explain')}</p>
      <ul className="split-list">
        {messages.map((m) => (
          <li key={m.id}>
            <label className="check">
              <input type="checkbox" checked={chosen.has(m.id)} onChange={(e) => setChosen((s) => { const next = new Set(s); if (e.target.checked) next.add(m.id); else next.delete(m.id); return next; })} />
              <strong>{m.author.name}</strong> <span className="muted">{m.bodyText.slice(0, 120)}</span>
            </label>
          </li>
        ))}
      </ul>
      <label className="field">
        <span>{t('split.subject')}</span>
        <input value={subject} onChange={(e) => setSubject(e.target.value)} maxLength={500} />
      </label>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
        <button type="button" className="button primary" disabled={chosen.size === 0 || chosen.size === messages.length || split.isPending} onClick={() => split.mutate()}>
          {t('split.confirm')}
        </button>
      </div>
    </Dialog>
  );
}

/** Hand the ticket to another agent or group, with a note saying why. */
export function ForwardDialog({ ticket, onClose }: Props) {
  const qc = useQueryClient();
  const staff = useStaff();
  const groups = useGroups();
  const [to, setTo] = useState('');
  const [note, setNote] = useState('');
  const forward = useMutation({
    mutationFn: async () => {
      const [kind, id] = to.split(':') as ['user' | 'group', string];
      await api.patch(`/api/v1/tickets/${ticket.number}`, kind === 'user' ? { assigneeId: id } : { groupId: id, assigneeId: null });
      if (note.trim()) await api.post(`/api/v1/tickets/${ticket.number}/messages`, { kind: 'note', body: note, format: 'text' });
    },
    onSuccess: () => {
      toast(t('forward.done'));
      onClose();
    },
    onError: (err) => toastError(err),
    onSettled: () => refreshAround(qc, ticket.number),
  });
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={t('forward.title')}>
      <form className="stack" onSubmit={(e) => { e.preventDefault(); if (to) forward.mutate(); }}>
        <label className="field">
          <span>{t('forward.to')}</span>
          <select value={to} onChange={(e) => setTo(e.target.value)} autoFocus>
            <option value="">{t('forward.choose')}</option>
            <optgroup label={t('forward.agents')}>
              {(staff.data ?? []).filter((u) => u.active).map((u) => <option key={u.id} value={`user:${u.id}`}>{u.name}</option>)}
            </optgroup>
            <optgroup label={t('forward.groups')}>
              {(groups.data ?? []).map((g) => <option key={g.id} value={`group:${g.id}`}>{g.name}</option>)}
            </optgroup>
          </select>
        </label>
        <label className="field">
          <span>{t('forward.note')}</span>
          <textarea rows={3} value={note} onChange={(e) => setNote(e.target.value)} placeholder={t('forward.notePlaceholder')} />
        </label>
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" className="button primary" disabled={!to || forward.isPending}>{t('forward.confirm')}</button>
        </div>
      </form>
    </Dialog>
  );
}
