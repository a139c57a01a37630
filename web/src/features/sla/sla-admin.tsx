import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { CalendarResponse, PolicyResponse } from '../../../../contracts/sla.js';
import { Dialog } from '../../components/dialog.js';
import { ErrorState, Loading } from '../../components/states.js';
import { toast, toastError } from '../../components/toast.js';
import { api, ApiError } from '../../lib/api.js';
import { t } from '../../lib/i18n.js';

type Editing = { kind: 'policy' | 'calendar'; id: string | null; json: string };

const POLICY_FIELDS = ['name', 'position', 'condition', 'targets', 'businessTime', 'calendarId', 'warningPercent', 'active'] as const;
const CALENDAR_FIELDS = ['name', 'timeZone', 'weeklyHours', 'holidays'] as const;
const pickJson = (o: object, keys: readonly string[]) => JSON.stringify(Object.fromEntries(keys.map((k) => [k, (o as Record<string, unknown>)[k]])), null, 2);
const NEW_POLICY = { name: '', position: 0, condition: 'priority:urgent', businessTime: false, calendarId: null, warningPercent: 75, active: true, targets: { low: { firstResponse: 2880, nextResponse: 2880, resolution: null }, medium: { firstResponse: 1440, nextResponse: 1440, resolution: null }, high: { firstResponse: 240, nextResponse: 240, resolution: null }, urgent: { firstResponse: 60, nextResponse: 60, resolution: 240 } } };
const NEW_CALENDAR = { name: '', timeZone: 'UTC', weeklyHours: Object.fromEntries(['monday', 'tuesday', 'wednesday', 'thursday', 'friday'].map((d) => [d, [{ start: '09:00', end: '17:00' }]])), holidays: [] };

const minutes = (m: number | null) => (m === null ? '–' : String(m));

/**
 * SLA policies and business-hours calendars (admin). Deliberately plain: a table each and a JSON
 * editor holding exactly the API's request body, so everything the API accepts can be set here.
 */
export function SlaAdmin({ canEdit }: { canEdit: boolean }) {
  const policies = useQuery({ queryKey: ['sla', 'policies'], queryFn: () => api.get<{ items: PolicyResponse[] }>('/api/v1/sla/policies').then((r) => r.items) });
  const calendars = useQuery({ queryKey: ['sla', 'calendars'], queryFn: () => api.get<{ items: CalendarResponse[] }>('/api/v1/sla/calendars').then((r) => r.items) });
  const [editing, setEditing] = useState<Editing | null>(null);
  if (policies.isPending || calendars.isPending) return <Loading />;
  if (policies.isError) return <ErrorState error={policies.error} />;
  if (calendars.isError) return <ErrorState error={calendars.error} />;
  const calendarName = (id: string | null) => calendars.data.find((c) => c.id === id)?.name ?? '';
  return (
    <section className="sla-admin">
      <h2>{t('sla.admin.policies')}</h2>
      {canEdit && <div className="toolbar"><button type="button" className="button primary" onClick={() => setEditing({ kind: 'policy', id: null, json: JSON.stringify(NEW_POLICY, null, 2) })}>{t('sla.admin.newPolicy')}</button></div>}
      <table className="simple-table">
        <thead><tr><th>{t('sla.admin.position')}</th><th>{t('sla.admin.name')}</th><th>{t('sla.admin.condition')}</th><th>{t('sla.admin.time')}</th><th>{t('sla.admin.targets')}</th><th /></tr></thead>
        <tbody>
          {policies.data.map((p) => (
            <tr key={p.id} className={p.active ? '' : 'muted'}>
              <td>{p.position}</td>
              <td>{p.name}</td>
              <td><code>{p.condition || t('sla.admin.conditionAll')}</code></td>
              <td>{p.businessTime ? `${t('sla.admin.business')}: ${calendarName(p.calendarId)}` : t('sla.admin.calendarTime')}</td>
              <td>
                {(['urgent', 'high', 'medium', 'low'] as const).map((pr) => (
                  <div key={pr}>{t(`priority.${pr}`)}: {minutes(p.targets[pr].firstResponse)} / {minutes(p.targets[pr].nextResponse)} / {minutes(p.targets[pr].resolution)}</div>
                ))}
              </td>
              <td>{canEdit && <button type="button" className="button small" onClick={() => setEditing({ kind: 'policy', id: p.id, json: pickJson(p, POLICY_FIELDS) })}>{t('common.edit')}</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t('sla.admin.calendars')}</h2>
      {canEdit && <div className="toolbar"><button type="button" className="button primary" onClick={() => setEditing({ kind: 'calendar', id: null, json: JSON.stringify(NEW_CALENDAR, null, 2) })}>{t('sla.admin.newCalendar')}</button></div>}
      <table className="simple-table">
        <thead><tr><th>{t('sla.admin.name')}</th><th>{t('sla.admin.zone')}</th><th>{t('sla.admin.hours')}</th><th>{t('sla.admin.holidays')}</th><th /></tr></thead>
        <tbody>
          {calendars.data.map((c) => (
            <tr key={c.id}>
              <td>{c.name}</td>
              <td>{c.timeZone}</td>
              <td>{Object.entries(c.weeklyHours).filter(([, w]) => w.length > 0).map(([d, w]) => `${d.slice(0, 3)} ${w.map((x) => `${x.start}–${x.end}`).join(', ')}`).join('; ')}</td>
              <td>{c.holidays.join(', ') || t('sla.admin.none')}</td>
              <td>{canEdit && <button type="button" className="button small" onClick={() => setEditing({ kind: 'calendar', id: c.id, json: pickJson(c, CALENDAR_FIELDS) })}>{t('common.edit')}</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {editing && <JsonDialog editing={editing} onClose={() => setEditing(null)} />}
    </section>
  );
}

function JsonDialog({ editing, onClose }: { editing: Editing; onClose: () => void }) {
  const qc = useQueryClient();
  const [json, setJson] = useState(editing.json);
  const [parseError, setParseError] = useState<string | null>(null);
  const base = editing.kind === 'policy' ? '/api/v1/sla/policies' : '/api/v1/sla/calendars';
  const done = () => {
    void qc.invalidateQueries({ queryKey: ['sla'] });
    toast(t('common.saved'));
    onClose();
  };
  const save = useMutation({
    mutationFn: (body: unknown) => (editing.id ? api.patch(`${base}/${editing.id}`, body) : api.post(base, body)),
    onSuccess: done,
    onError: (e) => toastError(e),
  });
  const remove = useMutation({ mutationFn: () => api.delete(`${base}/${editing.id!}`), onSuccess: done, onError: (e) => toastError(e) });
  const submit = () => {
    try {
      const body: unknown = JSON.parse(json);
      setParseError(null);
      save.mutate(body);
    } catch (e) {
      setParseError(e instanceof Error ? e.message : String(e));
    }
  };
  const title = editing.kind === 'policy' ? t('sla.admin.policies') : t('sla.admin.calendars');
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={title}>
      <form className="stack" onSubmit={(e) => { e.preventDefault(); submit(); }}>
        <label className="field"><span>{t('sla.admin.json')}</span><textarea value={json} onChange={(e) => setJson(e.target.value)} rows={18} spellCheck={false} style={{ fontFamily: 'monospace' }} /></label>
        {parseError && <p className="form-error" role="alert">{parseError}</p>}
        {save.error instanceof ApiError && <p className="form-error" role="alert">{save.error.message}</p>}
        <div className="dialog-actions">
          {editing.id && <button type="button" className="button danger" onClick={() => remove.mutate()}>{t('common.delete')}</button>}
          <span className="spacer" />
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" className="button primary" disabled={save.isPending}>{t('common.save')}</button>
        </div>
      </form>
    </Dialog>
  );
}
