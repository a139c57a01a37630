import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { RuleAction, TriggerEvent } from '../../../../contracts/automations.js';
import { Dialog } from '../../components/dialog.js';
import { ErrorState, Loading } from '../../components/states.js';
import { toast, toastError } from '../../components/toast.js';
import { api, ApiError } from '../../lib/api.js';
import { t, type MessageKey } from '../../lib/i18n.js';

type Kind = 'routing' | 'trigger' | 'time';
interface Rule {
  id: string;
  name: string;
  kind: Kind;
  events: string[];
  position: number;
  active: boolean;
  conditions: { filter: string };
  actions: RuleAction[];
}

const KINDS: Kind[] = ['routing', 'trigger', 'time'];
// Mirrors TRIGGER_EVENTS in contracts/automations.ts (typed, so a wrong name fails the build).
const TRIGGER_EVENTS: readonly TriggerEvent[] = ['ticket.created', 'ticket.updated', 'ticket.status_changed', 'ticket.priority_changed', 'message.received', 'sla.warning', 'sla.breached'];

/** Automation rules (admins): one table per kind in order, switch on/off, move up, delete, add; run the sweep. */
export function AutomationsAdmin({ canEdit }: { canEdit: boolean }) {
  const qc = useQueryClient();
  const rules = useQuery({ queryKey: ['automation-rules'], queryFn: () => api.get<{ items: Rule[] }>('/api/v1/automations/rules').then((r) => r.items) });
  const [adding, setAdding] = useState(false);
  const refresh = () => void qc.invalidateQueries({ queryKey: ['automation-rules'] });
  const patch = useMutation({ mutationFn: (p: { id: string; body: object }) => api.patch(`/api/v1/automations/rules/${p.id}`, p.body), onSuccess: refresh, onError: (e) => toastError(e) });
  const remove = useMutation({ mutationFn: (id: string) => api.delete(`/api/v1/automations/rules/${id}`), onSuccess: refresh, onError: (e) => toastError(e) });
  const sweep = useMutation({
    mutationFn: () => api.post<{ acted: number }>('/api/v1/automations/sweep', {}),
    onSuccess: (r) => toast(t('automations.swept', { acted: r.acted })),
    onError: (e) => toastError(e),
  });
  if (rules.isPending) return <Loading />;
  if (rules.isError) return <ErrorState error={rules.error} />;
  return (
    <section>
      {canEdit && (
        <div className="toolbar">
          <button type="button" className="button primary" onClick={() => setAdding(true)}>{t('automations.new')}</button>
          <button type="button" className="button" onClick={() => sweep.mutate()} disabled={sweep.isPending}>{t('automations.sweepNow')}</button>
        </div>
      )}
      {KINDS.map((kind) => {
        const list = rules.data.filter((r) => r.kind === kind);
        return (
          <div key={kind} data-kind={kind}>
            <h2>{t(`automations.kind.${kind}` as MessageKey)}</h2>
            {list.length === 0 ? <p className="muted">{t('automations.none')}</p> : (
              <table className="simple-table">
                <thead><tr><th>{t('automations.name')}</th><th>{t('automations.events')}</th><th>{t('automations.filter')}</th><th>{t('automations.actionsColumn')}</th><th /></tr></thead>
                <tbody>
                  {list.map((r, i) => (
                    <tr key={r.id} data-rule={r.name}>
                      <td>{r.name}{!r.active && <span className="badge">{t('automations.off')}</span>}</td>
                      <td>{kind === 'trigger' ? r.events.join(', ') : t(kind === 'routing' ? 'automations.routingEvents' : 'automations.timeEvents')}</td>
                      <td><code>{r.conditions.filter}</code></td>
                      <td>{r.actions.map((a) => a.type).join(', ')}</td>
                      <td className="row-actions">
                        {canEdit && i > 0 && <button type="button" className="button small" onClick={() => patch.mutate({ id: r.id, body: { position: i - 1 } })}>{t('automations.moveUp')}</button>}
                        {canEdit && <button type="button" className="button small" onClick={() => patch.mutate({ id: r.id, body: { active: !r.active } })}>{r.active ? t('automations.switchOff') : t('automations.switchOn')}</button>}
                        {canEdit && <button type="button" className="button small danger" onClick={() => remove.mutate(r.id)}>{t('common.delete')}</button>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        );
      })}
      {adding && <NewRuleDialog onClose={() => setAdding(false)} onSaved={refresh} />}
    </section>
  );
}

function NewRuleDialog({ onClose, onSaved }: { onClose: () => void; onSaved: () => void }) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<Kind>('routing');
  const [events, setEvents] = useState<string[]>(['ticket.created']);
  const [filter, setFilter] = useState('');
  const [actions, setActions] = useState('[{"type":"add_tags","tags":["routed"]}]');
  const [jsonError, setJsonError] = useState(false);
  const save = useMutation({
    mutationFn: (parsed: unknown) => api.post('/api/v1/automations/rules', { name, kind, events: kind === 'trigger' ? events : [], conditions: { filter }, actions: parsed }),
    onSuccess: () => {
      onSaved();
      toast(t('common.saved'));
      onClose();
    },
  });
  const submit = () => {
    try {
      const parsed: unknown = JSON.parse(actions);
      setJsonError(false);
      save.mutate(parsed);
    } catch {
      setJsonError(true);
    }
  };
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={t('automations.new')}>
      <form className="stack" onSubmit={(e) => { e.preventDefault(); submit(); }}>
        <label className="field"><span>{t('automations.name')}</span><input value={name} onChange={(e) => setName(e.target.value)} required autoFocus /></label>
        <label className="field">
          <span>{t('automations.kind')}</span>
          <select value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
            {KINDS.map((k) => <option key={k} value={k}>{t(`automations.kind.${k}` as MessageKey)}</option>)}
          </select>
        </label>
        {kind === 'trigger' && (
          <fieldset className="columns-picker">
            <legend>{t('automations.events')}</legend>
            {TRIGGER_EVENTS.map((ev) => (
              <label key={ev} className="check"><input type="checkbox" checked={events.includes(ev)} onChange={(e) => setEvents((l) => (e.target.checked ? [...l, ev] : l.filter((x) => x !== ev)))} />{ev}</label>
            ))}
          </fieldset>
        )}
        <label className="field"><span>{t('automations.filter')}</span><input value={filter} onChange={(e) => setFilter(e.target.value)} placeholder={t('automations.filterHint')} /></label>
        <label className="field"><span>{t('automations.actions')}</span><textarea rows={4} value={actions} onChange={(e) => setActions(e.target.value)} aria-describedby="actions-hint" /></label>
        <p id="actions-hint" className="muted">{t('automations.actionsHint')}</p>
        {jsonError && <p className="form-error" role="alert">{t('automations.actionsInvalid')}</p>}
        {save.error && <p className="form-error" role="alert">{save.error instanceof ApiError ? save.error.message : t('errors.unexpected')}</p>}
        <div className="dialog-actions">
          <span className="spacer" />
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" className="button primary" disabled={!name.trim() || save.isPending}>{t('common.save')}</button>
        </div>
      </form>
    </Dialog>
  );
}
