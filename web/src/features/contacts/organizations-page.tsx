import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Dialog } from '../../components/dialog.js';
import { Empty, ErrorState, Loading } from '../../components/states.js';
import { api, ApiError } from '../../lib/api.js';
import { t } from '../../lib/i18n.js';
import { Link, navigate } from '../../lib/router.js';
import type { Organization } from '../../lib/types.js';
import { splitList } from './contact-ticket-list.js';

export function OrganizationsPage() {
  const orgs = useQuery({ queryKey: ['organizations'], queryFn: () => api.get<{ items: Organization[] }>('/api/v1/organizations').then((r) => r.items) });
  const [creating, setCreating] = useState(false);
  return (
    <div className="page">
      <header className="page-header">
        <h1>{t('orgs.title')}</h1>
        <div className="header-actions">
          <button type="button" className="button primary" onClick={() => setCreating(true)}>{t('orgs.new')}</button>
        </div>
      </header>
      {orgs.isPending ? <Loading /> : orgs.isError ? <ErrorState error={orgs.error} /> : orgs.data.length === 0 ? <Empty text={t('orgs.none')} /> : (
        <table className="simple-table">
          <thead><tr><th>{t('orgs.name')}</th><th>{t('orgs.domains')}</th></tr></thead>
          <tbody>
            {orgs.data.map((o) => (
              <tr key={o.id}>
                <td><Link to={`/organizations/${o.id}`}>{o.name}</Link> {o.vip && <span className="badge vip">{t('customer.vip')}</span>}</td>
                <td>{o.domains.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {creating && <NewOrganizationDialog onClose={() => setCreating(false)} />}
    </div>
  );
}

function NewOrganizationDialog({ onClose }: { onClose: () => void }) {
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [domains, setDomains] = useState('');
  const create = useMutation({
    mutationFn: () => api.post<Organization>('/api/v1/organizations', { name, domains: splitList(domains) }),
    onSuccess: (o) => {
      void qc.invalidateQueries({ queryKey: ['organizations'] });
      onClose();
      navigate(`/organizations/${o.id}`);
    },
  });
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={t('orgs.new')}>
      <form className="stack" onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
        <label className="field"><span>{t('orgs.name')}</span><input value={name} onChange={(e) => setName(e.target.value)} required autoFocus /></label>
        <label className="field"><span>{t('orgs.domains')}</span><input value={domains} onChange={(e) => setDomains(e.target.value)} placeholder="example.com" /></label>
        {create.error && <p className="form-error" role="alert">{create.error instanceof ApiError ? create.error.message : t('errors.unexpected')}</p>}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" className="button primary" disabled={!name.trim() || create.isPending}>{t('common.create')}</button>
        </div>
      </form>
    </Dialog>
  );
}
