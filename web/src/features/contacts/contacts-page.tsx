import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Dialog } from '../../components/dialog.js';
import { Empty, ErrorState, Loading } from '../../components/states.js';
import { api, ApiError } from '../../lib/api.js';
import { t } from '../../lib/i18n.js';
import { Link, navigate } from '../../lib/router.js';
import type { Contact, Page } from '../../lib/types.js';
import { splitList } from './contact-ticket-list.js';

export function ContactsPage() {
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const [creating, setCreating] = useState(false);
  const list = useInfiniteQuery({
    queryKey: ['contacts', search],
    queryFn: ({ pageParam }) => api.get<Page<Contact>>('/api/v1/contacts', { q: search, cursor: pageParam, limit: 50 }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (p) => p.nextCursor ?? undefined,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className="page">
      <header className="page-header">
        <h1>{t('contacts.title')}</h1>
        <div className="header-actions">
          <button type="button" className="button primary" onClick={() => setCreating(true)}>
            {t('contacts.new')}
          </button>
        </div>
      </header>
      <form className="search-input" onSubmit={(e) => { e.preventDefault(); setSearch(q.trim()); }}>
        <input type="search" aria-label={t('contacts.search')} placeholder={t('contacts.search')} value={q} onChange={(e) => setQ(e.target.value)} />
      </form>
      {list.isPending ? <Loading /> : list.isError ? <ErrorState error={list.error} /> : items.length === 0 ? <Empty text={t('contacts.none')} /> : (
        <table className="simple-table">
          <thead>
            <tr>
              <th>{t('contacts.name')}</th>
              <th>{t('contacts.emails')}</th>
              <th>{t('contacts.phones')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((c) => (
              <tr key={c.id}>
                <td>
                  <Link to={`/contacts/${c.id}`}>{c.name || c.emails[0]}</Link> {c.vip && <span className="badge vip">{t('customer.vip')}</span>}
                </td>
                <td>{c.emails.join(', ')}</td>
                <td>{c.phones.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.hasNextPage && (
        <div className="list-footer">
          <button type="button" className="button ghost" onClick={() => void list.fetchNextPage()}>
            {t('inbox.loadMore')}
          </button>
        </div>
      )}
      {creating && <NewContactDialog onClose={() => setCreating(false)} />}
    </div>
  );
}

function NewContactDialog({ onClose }: { onClose: () => void }) {
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [emails, setEmails] = useState('');
  const [phones, setPhones] = useState('');
  const create = useMutation({
    mutationFn: () => api.post<Contact>('/api/v1/contacts', { name, emails: splitList(emails), phones: splitList(phones) }),
    onSuccess: (c) => {
      void qc.invalidateQueries({ queryKey: ['contacts'] });
      onClose();
      navigate(`/contacts/${c.id}`);
    },
  });
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={t('contacts.new')}>
      <form className="stack" onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
        <label className="field"><span>{t('contacts.name')}</span><input value={name} onChange={(e) => setName(e.target.value)} autoFocus /></label>
        <label className="field"><span>{t('contacts.emails')}</span><input value={emails} onChange={(e) => setEmails(e.target.value)} /></label>
        <label className="field"><span>{t('contacts.phones')}</span><input value={phones} onChange={(e) => setPhones(e.target.value)} /></label>
        {create.error && <p className="form-error" role="alert">{create.error instanceof ApiError ? create.error.message : t('errors.unexpected')}</p>}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" className="button primary" disabled={create.isPending}>{t('common.create')}</button>
        </div>
      </form>
    </Dialog>
  );
}
