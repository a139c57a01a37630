import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorState, Loading } from '../../components/states.js';
import { toast, toastError } from '../../components/toast.js';
import { api } from '../../lib/api.js';
import { dateTime } from '../../lib/format.js';
import { t, type MessageKey } from '../../lib/i18n.js';
import { nameOf, useGroups } from '../../lib/queries.js';
import type { Mailbox } from './admin-types.js';
import { MailboxDialog } from './mailbox-dialog.js';
import { QuarantineAdmin } from './quarantine-admin.js';

const STATE_LABEL: Record<Mailbox['imap']['state'], MessageKey> = {
  idle: 'mailboxes.state.idle',
  ok: 'mailboxes.state.ok',
  auth_failed: 'mailboxes.state.auth_failed',
  error: 'mailboxes.state.error',
};

/** Mailboxes (admins): brand, default group, IMAP polling with its health, "poll now", and the inbound quarantine. */
export function MailboxesAdmin({ canEdit }: { canEdit: boolean }) {
  const list = useQuery({ queryKey: ['mailboxes'], queryFn: () => api.get<{ items: Mailbox[] }>('/api/v1/mailboxes').then((r) => r.items), enabled: canEdit });
  const [editing, setEditing] = useState<Mailbox | 'new' | null>(null);
  if (!canEdit) return null;
  if (list.isPending) return <Loading />;
  if (list.isError) return <ErrorState error={list.error} />;
  return (
    <section className="stack">
      <div className="toolbar"><button type="button" className="button primary" onClick={() => setEditing('new')}>{t('mailboxes.new')}</button></div>
      {list.data.length === 0 && <p className="muted">{t('mailboxes.none')}</p>}
      {list.data.map((m) => <MailboxCard key={m.id} mailbox={m} onEdit={() => setEditing(m)} />)}
      {editing && <MailboxDialog mailbox={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
      <h2>{t('quarantine.title')}</h2>
      <QuarantineAdmin mailboxes={list.data} />
    </section>
  );
}

function MailboxCard({ mailbox: m, onEdit }: { mailbox: Mailbox; onEdit: () => void }) {
  const qc = useQueryClient();
  const groups = useGroups();
  const poll = useMutation({
    mutationFn: () => api.post<Mailbox>(`/api/v1/mailboxes/${m.id}/poll`),
    onSuccess: (after) => {
      qc.setQueryData<Mailbox[]>(['mailboxes'], (list) => list?.map((x) => (x.id === after.id ? after : x)));
      toast(after.imap.state === 'ok' ? t('mailboxes.pollOk') : t('mailboxes.pollFailed'));
    },
    onError: (e) => toastError(e),
  });
  const imap = m.imap;
  const failing = imap.state === 'auth_failed' || imap.state === 'error';
  return (
    <article className="panel" data-mailbox={m.address} style={{ borderLeft: `4px solid ${m.brand.colour}` }}>
      <header className="toolbar">
        <div>
          <strong>{m.displayName}</strong> <code>{m.address}</code>
          {!m.active && <span className="badge">{t('mailboxes.inactive')}</span>}
          <div className="muted">
            {m.brand.name && <>{t('mailboxes.brandShown', { name: m.brand.name })} · </>}
            {t('mailboxes.routedTo', { group: nameOf(groups.data, m.defaultGroupId) ?? t('mailboxes.noGroup') })}
          </div>
        </div>
        <span className="spacer" />
        {imap.host && <button type="button" className="button small" onClick={() => poll.mutate()} disabled={poll.isPending}>{poll.isPending ? t('mailboxes.polling') : t('mailboxes.pollNow')}</button>}
        <button type="button" className="button small" onClick={onEdit}>{t('common.edit')}</button>
      </header>
      {imap.warnings.map((w) => <p key={w} className="banner-error" role="alert">{w}</p>)}
      {imap.host ? (
        <dl className="facts-grid">
          <dt>{t('mailboxes.imap')}</dt>
          <dd>{`${imap.user ?? ''}@${imap.host}:${imap.port ?? (imap.tls ? 993 : 143)} / ${imap.folder}`} {!imap.enabled && <span className="badge">{t('mailboxes.pollingOff')}</span>}</dd>
          <dt>{t('mailboxes.syncState')}</dt>
          <dd className={failing ? 'form-error' : undefined}>{t(STATE_LABEL[imap.state])}{failing && imap.lastError ? `: ${imap.lastError}` : ''}</dd>
          <dt>{t('mailboxes.lastPoll')}</dt>
          <dd>{imap.lastPollAt ? dateTime(imap.lastPollAt) : t('mailboxes.never')}</dd>
          <dt>{t('mailboxes.lastSuccess')}</dt>
          <dd>{imap.lastSuccessAt ? dateTime(imap.lastSuccessAt) : t('mailboxes.never')}</dd>
        </dl>
      ) : (
        <p className="muted">{t('mailboxes.noImap')}</p>
      )}
    </article>
  );
}
