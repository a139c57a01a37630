import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Dialog } from '../../components/dialog.js';
import { ErrorState, Loading } from '../../components/states.js';
import { toast, toastError } from '../../components/toast.js';
import { api, ApiError } from '../../lib/api.js';
import { dateTime, fileSize } from '../../lib/format.js';
import { t } from '../../lib/i18n.js';
import { Link } from '../../lib/router.js';
import type { InboundMail, InboundMailDetail, Mailbox } from './admin-types.js';

type Shown = 'quarantined' | 'ignored';
// Enough to read the headers and the start of the body; the whole file is one click away.
const RAW_SHOWN = 200_000;

/** Inbound mail that could not be processed (or was ignored): the reason, the raw message, replay. */
export function QuarantineAdmin({ mailboxes }: { mailboxes: Mailbox[] }) {
  const qc = useQueryClient();
  const [status, setStatus] = useState<Shown>('quarantined');
  const [raw, setRaw] = useState<InboundMail | null>(null);
  const list = useQuery({ queryKey: ['inbound-mail', status], queryFn: () => api.get<{ items: InboundMail[] }>('/api/v1/mail/inbound', { status, limit: 100 }).then((r) => r.items) });
  const replay = useMutation({
    mutationFn: (id: string) => api.post<InboundMailDetail>(`/api/v1/mail/inbound/${id}/replay`),
    onSuccess: (m) => {
      void qc.invalidateQueries({ queryKey: ['inbound-mail'] });
      toast(m.ticketNumber ? t('quarantine.replayedTo', { number: m.ticketNumber }) : t('quarantine.replayed', { status: m.status }));
    },
    onError: (e) => toastError(e),
  });
  const mailboxOf = (id: string | null) => mailboxes.find((m) => m.id === id)?.address ?? '—';
  return (
    <section>
      <div className="toolbar">
        <label className="field">
          <span>{t('quarantine.show')}</span>
          <select value={status} onChange={(e) => setStatus(e.target.value as Shown)}>
            <option value="quarantined">{t('quarantine.quarantined')}</option>
            <option value="ignored">{t('quarantine.ignored')}</option>
          </select>
        </label>
      </div>
      {list.isPending ? <Loading /> : list.isError ? <ErrorState error={list.error} /> : list.data.length === 0 ? <p className="muted">{t('quarantine.none')}</p> : (
        <table className="simple-table">
          <thead><tr><th>{t('quarantine.received')}</th><th>{t('quarantine.from')}</th><th>{t('quarantine.subject')}</th><th>{t('quarantine.mailbox')}</th><th>{t('quarantine.reason')}</th><th /></tr></thead>
          <tbody>
            {list.data.map((m) => (
              <tr key={m.id} data-inbound={m.messageId}>
                <td>{dateTime(m.receivedAt)}</td>
                <td>{m.from ?? '—'}</td>
                <td>{m.subject ?? '—'}{m.ticketNumber !== null && <> · <Link to={`/tickets/${m.ticketNumber}`}>#{m.ticketNumber}</Link></>}</td>
                <td>{mailboxOf(m.mailboxId)}</td>
                <td className="form-error">{m.reason ?? '—'}</td>
                <td className="row-actions">
                  <button type="button" className="button small" onClick={() => setRaw(m)}>{t('quarantine.viewRaw')}</button>
                  <button type="button" className="button small" onClick={() => replay.mutate(m.id)} disabled={replay.isPending}>{t('quarantine.replay')}</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {raw && <RawMailDialog mail={raw} onClose={() => setRaw(null)} />}
    </section>
  );
}

async function fetchRaw(id: string): Promise<string> {
  const res = await fetch(`/api/v1/mail/inbound/${id}/raw`, { credentials: 'same-origin' });
  if (!res.ok) throw new ApiError(res.status, `http_${res.status}`, res.statusText);
  return res.text();
}

function RawMailDialog({ mail, onClose }: { mail: InboundMail; onClose: () => void }) {
  const raw = useQuery({ queryKey: ['inbound-mail', mail.id, 'raw'], queryFn: () => fetchRaw(mail.id) });
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={t('quarantine.rawTitle', { subject: mail.subject ?? mail.messageId })} wide>
      <div className="stack">
        <p className="hint">{t('quarantine.rawHint', { size: fileSize(mail.size) })} <a href={`/api/v1/mail/inbound/${mail.id}/raw`} download>{t('quarantine.download')}</a></p>
        {raw.isPending ? <Loading /> : raw.isError ? <ErrorState error={raw.error} /> : <pre className="raw-mail">{raw.data.slice(0, RAW_SHOWN)}</pre>}
      </div>
    </Dialog>
  );
}
