import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { CallbackResponse, CallResponse } from '../../../../contracts/phone.js';
import { Dialog } from '../../components/dialog.js';
import { Empty, ErrorState, Loading } from '../../components/states.js';
import { api, ApiError } from '../../lib/api.js';
import { dateTime } from '../../lib/format.js';
import { t } from '../../lib/i18n.js';
import { Link, navigate } from '../../lib/router.js';

/** The agent's booked callbacks, soonest first; each can be marked done or cancelled. */
export function CallbacksPage() {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['callbacks'], queryFn: () => api.get<{ items: CallbackResponse[] }>('/api/v1/callbacks').then((r) => r.items) });
  const finish = useMutation({
    mutationFn: (v: { id: string; status: 'done' | 'cancelled' }) => api.patch<CallbackResponse>(`/api/v1/callbacks/${v.id}`, { status: v.status }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['callbacks'] }),
  });
  const [logging, setLogging] = useState(false);
  const [booking, setBooking] = useState(false);
  return (
    <div className="page">
      <header className="page-header">
        <h1>{t('phone.callbacks')}</h1>
        <div className="header-actions">
          <button type="button" className="button" onClick={() => setBooking(true)}>{t('phone.book')}</button>
          <button type="button" className="button primary" onClick={() => setLogging(true)}>{t('phone.logCall')}</button>
        </div>
      </header>
      {list.isPending ? <Loading /> : list.isError ? <ErrorState error={list.error} /> : list.data.length === 0 ? <Empty text={t('phone.none')} /> : (
        <table className="simple-table">
          <thead>
            <tr><th>{t('phone.due')}</th><th>{t('phone.ticket')}</th><th>{t('phone.number')}</th><th>{t('phone.notes')}</th><th>{t('phone.status')}</th><th><span className="sr-only">{t('phone.done')}</span></th></tr>
          </thead>
          <tbody>
            {list.data.map((c) => (
              <tr key={c.id} data-callback={c.id}>
                <td>{dateTime(c.dueAt)}</td>
                <td><Link to={`/tickets/${c.ticketNumber}`}>#{c.ticketNumber} {c.ticketSubject}</Link></td>
                <td><a href={`tel:${c.number}`}>{c.number}</a></td>
                <td>{c.notes}</td>
                <td>{c.status === 'due' ? <strong>{t('phone.status.due')}</strong> : t('phone.status.scheduled')}</td>
                <td>
                  <div className="header-actions">
                    <button type="button" className="button" onClick={() => finish.mutate({ id: c.id, status: 'done' })}>{t('phone.done')}</button>
                    <button type="button" className="button" onClick={() => finish.mutate({ id: c.id, status: 'cancelled' })}>{t('phone.cancel')}</button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {logging && <LogCallDialog onClose={() => setLogging(false)} />}
      {booking && <BookCallbackDialog onClose={() => setBooking(false)} />}
    </div>
  );
}

function LogCallDialog({ onClose }: { onClose: () => void }) {
  const [number, setNumber] = useState('');
  const [direction, setDirection] = useState<'inbound' | 'outbound'>('inbound');
  const [minutes, setMinutes] = useState('1');
  const [notes, setNotes] = useState('');
  const [recording, setRecording] = useState('');
  const [ticket, setTicket] = useState('');
  const log = useMutation({
    mutationFn: () =>
      api.post<CallResponse>('/api/v1/calls', {
        number,
        direction,
        durationSeconds: Math.round(Number(minutes) * 60) || 0,
        notes,
        recordingUrl: recording.trim() || null,
        ...(ticket.trim() ? { ticketNumber: Number(ticket) } : {}),
      }),
    onSuccess: (call) => {
      onClose();
      navigate(`/tickets/${call.ticketNumber}`);
    },
  });
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={t('phone.logCall')}>
      <form className="stack" onSubmit={(e) => { e.preventDefault(); log.mutate(); }}>
        <label className="field"><span>{t('phone.number')}</span><input type="tel" value={number} onChange={(e) => setNumber(e.target.value)} required autoFocus /></label>
        <label className="field">
          <span>{t('phone.direction')}</span>
          <select value={direction} onChange={(e) => setDirection(e.target.value === 'outbound' ? 'outbound' : 'inbound')}>
            <option value="inbound">{t('phone.inbound')}</option>
            <option value="outbound">{t('phone.outbound')}</option>
          </select>
        </label>
        <label className="field"><span>{t('phone.minutes')}</span><input type="number" min="0" step="0.5" value={minutes} onChange={(e) => setMinutes(e.target.value)} /></label>
        <label className="field"><span>{t('phone.notes')}</span><textarea value={notes} onChange={(e) => setNotes(e.target.value)} rows={4} /></label>
        <label className="field"><span>{t('phone.recording')}</span><input type="url" value={recording} onChange={(e) => setRecording(e.target.value)} /></label>
        <label className="field"><span>{t('phone.onTicket')}</span><input inputMode="numeric" value={ticket} onChange={(e) => setTicket(e.target.value.replace(/\D/g, ''))} /></label>
        {log.error && <p className="form-error" role="alert">{log.error instanceof ApiError ? log.error.message : t('errors.unexpected')}</p>}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" className="button primary" disabled={!number.trim() || log.isPending}>{t('phone.save')}</button>
        </div>
      </form>
    </Dialog>
  );
}

/** Books a callback for the signed-in agent; the time is the agent's local time. */
function BookCallbackDialog({ onClose }: { onClose: () => void }) {
  const qc = useQueryClient();
  const [ticket, setTicket] = useState('');
  const [when, setWhen] = useState('');
  const [number, setNumber] = useState('');
  const [notes, setNotes] = useState('');
  const book = useMutation({
    mutationFn: () =>
      api.post<CallbackResponse>('/api/v1/callbacks', { ticketNumber: Number(ticket), dueAt: new Date(when).toISOString(), notes, ...(number.trim() ? { number } : {}) }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['callbacks'] });
      onClose();
    },
  });
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={t('phone.book')}>
      <form className="stack" onSubmit={(e) => { e.preventDefault(); book.mutate(); }}>
        <label className="field"><span>{t('phone.ticket')}</span><input inputMode="numeric" value={ticket} onChange={(e) => setTicket(e.target.value.replace(/\D/g, ''))} required autoFocus /></label>
        <label className="field"><span>{t('phone.when')}</span><input type="datetime-local" value={when} onChange={(e) => setWhen(e.target.value)} required /></label>
        <label className="field"><span>{t('phone.numberOptional')}</span><input type="tel" value={number} onChange={(e) => setNumber(e.target.value)} /></label>
        <label className="field"><span>{t('phone.notes')}</span><input value={notes} onChange={(e) => setNotes(e.target.value)} /></label>
        {book.error && <p className="form-error" role="alert">{book.error instanceof ApiError ? book.error.message : t('errors.unexpected')}</p>}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" className="button primary" disabled={!ticket || !when || book.isPending}>{t('phone.book')}</button>
        </div>
      </form>
    </Dialog>
  );
}
