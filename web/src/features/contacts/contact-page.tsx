import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorState, Loading } from '../../components/states.js';
import { toast } from '../../components/toast.js';
import { api, ApiError } from '../../lib/api.js';
import { t } from '../../lib/i18n.js';
import type { Contact, Organization, Ticket } from '../../lib/types.js';
import { splitList, TicketHistory } from './contact-ticket-list.js';

export function ContactPage({ id }: { id: string }) {
  const contact = useQuery({ queryKey: ['contact', id], queryFn: () => api.get<Contact>(`/api/v1/contacts/${id}`) });
  const tickets = useQuery({ queryKey: ['contact', id, 'tickets'], queryFn: () => api.get<{ items: Ticket[] }>(`/api/v1/contacts/${id}/tickets`).then((r) => r.items) });
  if (contact.isPending) return <Loading />;
  if (contact.isError) return <ErrorState error={contact.error} />;
  return (
    <div className="page">
      <header className="page-header">
        <h1>{contact.data.name || contact.data.emails[0]}</h1>
      </header>
      <div className="two-columns">
        <ContactForm contact={contact.data} key={contact.data.updatedAt} />
        <section>
          <h2>{t('contacts.history')}</h2>
          {tickets.data ? <TicketHistory tickets={tickets.data} /> : <Loading />}
        </section>
      </div>
    </div>
  );
}

function ContactForm({ contact }: { contact: Contact }) {
  const qc = useQueryClient();
  const orgs = useQuery({ queryKey: ['organizations'], queryFn: () => api.get<{ items: Organization[] }>('/api/v1/organizations').then((r) => r.items) });
  const [name, setName] = useState(contact.name);
  const [emails, setEmails] = useState(contact.emails.join(', '));
  const [phones, setPhones] = useState(contact.phones.join(', '));
  const [orgId, setOrgId] = useState(contact.organizationId ?? '');
  const [vip, setVip] = useState(contact.vip);
  const [notes, setNotes] = useState(contact.notes);
  const save = useMutation({
    mutationFn: () => api.patch<Contact>(`/api/v1/contacts/${contact.id}`, { name, emails: splitList(emails), phones: splitList(phones), organizationId: orgId || null, vip, notes }),
    onSuccess: (c) => {
      qc.setQueryData(['contact', contact.id], c);
      toast(t('common.saved'));
    },
  });
  return (
    <form className="panel stack" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
      <label className="field"><span>{t('contacts.name')}</span><input value={name} onChange={(e) => setName(e.target.value)} /></label>
      <label className="field"><span>{t('contacts.emails')}</span><input value={emails} onChange={(e) => setEmails(e.target.value)} /></label>
      <label className="field"><span>{t('contacts.phones')}</span><input value={phones} onChange={(e) => setPhones(e.target.value)} /></label>
      <label className="field">
        <span>{t('contacts.organization')}</span>
        <select value={orgId} onChange={(e) => setOrgId(e.target.value)}>
          <option value="">—</option>
          {(orgs.data ?? []).map((o) => <option key={o.id} value={o.id}>{o.name}</option>)}
        </select>
      </label>
      <label className="check"><input type="checkbox" checked={vip} onChange={(e) => setVip(e.target.checked)} />{t('customer.vip')}</label>
      <label className="field"><span>{t('contacts.notes')}</span><textarea rows={3} value={notes} onChange={(e) => setNotes(e.target.value)} /></label>
      {save.error && <p className="form-error" role="alert">{save.error instanceof ApiError ? save.error.message : t('errors.unexpected')}</p>}
      <div className="dialog-actions"><button type="submit" className="button primary" disabled={save.isPending}>{t('common.save')}</button></div>
    </form>
  );
}
