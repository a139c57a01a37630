import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorState, Loading } from '../../components/states.js';
import { toast } from '../../components/toast.js';
import { api, ApiError } from '../../lib/api.js';
import { t } from '../../lib/i18n.js';
import { Link } from '../../lib/router.js';
import type { Contact, Organization, Page, Ticket } from '../../lib/types.js';
import { splitList, TicketHistory } from './contact-ticket-list.js';

export function OrganizationPage({ id }: { id: string }) {
  const org = useQuery({ queryKey: ['organization', id], queryFn: () => api.get<Organization>(`/api/v1/organizations/${id}`) });
  const contacts = useQuery({ queryKey: ['contacts', 'org', id], queryFn: () => api.get<Page<Contact>>('/api/v1/contacts', { organizationId: id, limit: 200 }).then((r) => r.items) });
  const name = org.data?.name;
  // The organization's history is a filter like any other.
  const tickets = useQuery({
    queryKey: ['tickets', 'org', name],
    queryFn: () => api.get<Page<Ticket>>('/api/v1/tickets', { q: `org:"${name!.replace(/"/g, '')}"`, limit: 50 }).then((r) => r.items),
    enabled: !!name,
  });
  if (org.isPending) return <Loading />;
  if (org.isError) return <ErrorState error={org.error} />;
  return (
    <div className="page">
      <header className="page-header"><h1>{org.data.name}</h1></header>
      <div className="two-columns">
        <div className="stack">
          <OrganizationForm org={org.data} key={org.data.updatedAt} />
          <section className="panel">
            <h2 className="panel-title">{t('orgs.contacts')}</h2>
            <ul className="mini-list">
              {(contacts.data ?? []).map((c) => <li key={c.id}><Link to={`/contacts/${c.id}`}>{c.name || c.emails[0]}</Link></li>)}
            </ul>
          </section>
        </div>
        <section>
          <h2>{t('contacts.history')}</h2>
          {tickets.data ? <TicketHistory tickets={tickets.data} /> : <Loading />}
        </section>
      </div>
    </div>
  );
}

function OrganizationForm({ org }: { org: Organization }) {
  const qc = useQueryClient();
  const [name, setName] = useState(org.name);
  const [domains, setDomains] = useState(org.domains.join(', '));
  const [vip, setVip] = useState(org.vip);
  const [notes, setNotes] = useState(org.notes);
  const save = useMutation({
    mutationFn: () => api.patch<Organization>(`/api/v1/organizations/${org.id}`, { name, domains: splitList(domains), vip, notes }),
    onSuccess: (o) => {
      qc.setQueryData(['organization', org.id], o);
      void qc.invalidateQueries({ queryKey: ['organizations'] });
      toast(t('common.saved'));
    },
  });
  return (
    <form className="panel stack" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
      <label className="field"><span>{t('orgs.name')}</span><input value={name} onChange={(e) => setName(e.target.value)} /></label>
      <label className="field"><span>{t('orgs.domains')}</span><input value={domains} onChange={(e) => setDomains(e.target.value)} /></label>
      <label className="check"><input type="checkbox" checked={vip} onChange={(e) => setVip(e.target.checked)} />{t('customer.vip')}</label>
      <label className="field"><span>{t('contacts.notes')}</span><textarea rows={3} value={notes} onChange={(e) => setNotes(e.target.value)} /></label>
      {save.error && <p className="form-error" role="alert">{save.error instanceof ApiError ? save.error.message : t('errors.unexpected')}</p>}
      <div className="dialog-actions"><button type="submit" className="button primary" disabled={save.isPending}>{t('common.save')}</button></div>
    </form>
  );
}
