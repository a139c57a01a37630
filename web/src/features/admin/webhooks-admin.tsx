import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Dialog } from '../../components/dialog.js';
import { ErrorState, Loading } from '../../components/states.js';
import { toast, toastError } from '../../components/toast.js';
import { api, ApiError } from '../../lib/api.js';
import { dateTime } from '../../lib/format.js';
import { t } from '../../lib/i18n.js';

interface Webhook {
  id: string;
  name: string;
  url: string;
  eventTypes: string[];
  active: boolean;
}

interface Delivery {
  id: string;
  event: string;
  attempt: number;
  status: 'success' | 'failed' | 'refused';
  responseCode: number | null;
  durationMs: number;
  error: string | null;
  createdAt: string;
}

// Mirrors WEBHOOK_EVENTS in contracts/integrations.ts (the server refuses anything else).
const EVENTS = ['ticket.created', 'ticket.updated', 'ticket.status_changed', 'ticket.assigned', 'ticket.merged', 'ticket.deleted', 'message.created', 'contact.updated', 'sla.warning', 'sla.breached', 'csat.rated'];

/** Outgoing webhooks (admins): list, add, switch off, delete, send a test, read the delivery log. */
export function WebhooksAdmin({ canEdit }: { canEdit: boolean }) {
  const qc = useQueryClient();
  const hooks = useQuery({ queryKey: ['webhooks'], queryFn: () => api.get<{ items: Webhook[] }>('/api/v1/integrations/webhooks').then((r) => r.items), enabled: canEdit });
  const [adding, setAdding] = useState(false);
  const [logOf, setLogOf] = useState<Webhook | null>(null);
  const refresh = () => void qc.invalidateQueries({ queryKey: ['webhooks'] });
  const test = useMutation({
    mutationFn: (id: string) => api.post<Delivery>(`/api/v1/integrations/webhooks/${id}/test`, {}),
    onSuccess: (d) => toast(d.status === 'success' ? t('webhooks.testOk', { code: d.responseCode ?? 0 }) : t('webhooks.testFailed', { error: d.error ?? '' })),
    onError: (e) => toastError(e),
  });
  const toggle = useMutation({ mutationFn: (h: Webhook) => api.patch(`/api/v1/integrations/webhooks/${h.id}`, { active: !h.active }), onSuccess: refresh, onError: (e) => toastError(e) });
  const remove = useMutation({ mutationFn: (id: string) => api.delete(`/api/v1/integrations/webhooks/${id}`), onSuccess: refresh, onError: (e) => toastError(e) });
  if (!canEdit) return null;
  if (hooks.isPending) return <Loading />;
  if (hooks.isError) return <ErrorState error={hooks.error} />;
  return (
    <section>
      <div className="toolbar"><button type="button" className="button primary" onClick={() => setAdding(true)}>{t('webhooks.new')}</button></div>
      {hooks.data.length === 0 && <p className="muted">{t('webhooks.none')}</p>}
      {hooks.data.length > 0 && (
        <table className="simple-table">
          <thead><tr><th>{t('admin.name')}</th><th>{t('webhooks.url')}</th><th>{t('webhooks.events')}</th><th /></tr></thead>
          <tbody>
            {hooks.data.map((h) => (
              <tr key={h.id} data-webhook={h.name}>
                <td>{h.name}{!h.active && <span className="badge">{t('webhooks.off')}</span>}</td>
                <td><code>{h.url}</code></td>
                <td>{h.eventTypes.join(', ')}</td>
                <td className="row-actions">
                  <button type="button" className="button small" onClick={() => test.mutate(h.id)} disabled={test.isPending}>{t('webhooks.sendTest')}</button>
                  <button type="button" className="button small" onClick={() => setLogOf(h)}>{t('webhooks.log')}</button>
                  <button type="button" className="button small" onClick={() => toggle.mutate(h)}>{h.active ? t('webhooks.switchOff') : t('webhooks.switchOn')}</button>
                  <button type="button" className="button small danger" onClick={() => remove.mutate(h.id)}>{t('common.delete')}</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {adding && <NewWebhookDialog onClose={() => setAdding(false)} onSaved={refresh} />}
      {logOf && <DeliveryLogDialog hook={logOf} onClose={() => setLogOf(null)} />}
    </section>
  );
}

function NewWebhookDialog({ onClose, onSaved }: { onClose: () => void; onSaved: () => void }) {
  const [name, setName] = useState('');
  const [url, setUrl] = useState('https://');
  const [events, setEvents] = useState<string[]>(['ticket.created']);
  const save = useMutation({
    mutationFn: () => api.post<Webhook & { secret: string }>('/api/v1/integrations/webhooks', { name, url, eventTypes: events }),
    onSuccess: () => {
      onSaved();
      toast(t('common.saved'));
      onClose();
    },
  });
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={t('webhooks.new')}>
      <form className="stack" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
        <label className="field"><span>{t('admin.name')}</span><input value={name} onChange={(e) => setName(e.target.value)} required autoFocus /></label>
        <label className="field"><span>{t('webhooks.url')}</span><input type="url" value={url} onChange={(e) => setUrl(e.target.value)} required /></label>
        <fieldset className="columns-picker">
          <legend>{t('webhooks.events')}</legend>
          {EVENTS.map((ev) => (
            <label key={ev} className="check"><input type="checkbox" checked={events.includes(ev)} onChange={(e) => setEvents((l) => (e.target.checked ? [...l, ev] : l.filter((x) => x !== ev)))} />{ev}</label>
          ))}
        </fieldset>
        {save.error && <p className="form-error" role="alert">{save.error instanceof ApiError ? save.error.message : t('errors.unexpected')}</p>}
        <div className="dialog-actions">
          <span className="spacer" />
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" className="button primary" disabled={!name.trim() || events.length === 0 || save.isPending}>{t('common.save')}</button>
        </div>
      </form>
    </Dialog>
  );
}

function DeliveryLogDialog({ hook, onClose }: { hook: Webhook; onClose: () => void }) {
  const log = useQuery({ queryKey: ['webhooks', hook.id, 'deliveries'], queryFn: () => api.get<{ items: Delivery[] }>(`/api/v1/integrations/webhooks/${hook.id}/deliveries`).then((r) => r.items) });
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={t('webhooks.logTitle', { name: hook.name })}>
      {log.isPending ? <Loading /> : log.isError ? <ErrorState error={log.error} /> : log.data.length === 0 ? <p className="muted">{t('webhooks.noDeliveries')}</p> : (
        <table className="simple-table">
          <thead><tr><th>{t('webhooks.when')}</th><th>{t('webhooks.event')}</th><th>{t('webhooks.attempt')}</th><th>{t('webhooks.result')}</th><th>{t('webhooks.duration')}</th></tr></thead>
          <tbody>
            {log.data.map((d) => (
              <tr key={d.id}>
                <td>{dateTime(d.createdAt)}</td>
                <td>{d.event}</td>
                <td>{d.attempt}</td>
                <td title={d.error ?? undefined}>{d.status}{d.responseCode !== null ? ` (${d.responseCode})` : ''}{d.error ? ` · ${d.error}` : ''}</td>
                <td>{d.durationMs} ms</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Dialog>
  );
}
