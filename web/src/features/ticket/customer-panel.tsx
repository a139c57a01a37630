import { useQuery } from '@tanstack/react-query';
import { StatusBadge } from '../../components/badges.js';
import { api } from '../../lib/api.js';
import { relativeTime } from '../../lib/format.js';
import { t } from '../../lib/i18n.js';
import { Link } from '../../lib/router.js';
import type { Contact, Organization, Ticket } from '../../lib/types.js';

/** Who is asking: contact details, their organization and their other tickets. */
export function CustomerPanel({ ticket }: { ticket: Ticket }) {
  const id = ticket.requester.id;
  const contact = useQuery({ queryKey: ['contact', id], queryFn: () => api.get<Contact>(`/api/v1/contacts/${id}`) });
  const orgId = contact.data?.organizationId;
  const org = useQuery({ queryKey: ['organization', orgId], queryFn: () => api.get<Organization>(`/api/v1/organizations/${orgId}`), enabled: !!orgId });
  const history = useQuery({ queryKey: ['contact', id, 'tickets'], queryFn: () => api.get<{ items: Ticket[] }>(`/api/v1/contacts/${id}/tickets`).then((r) => r.items) });
  const others = (history.data ?? []).filter((x) => x.id !== ticket.id);

  return (
    <section className="panel customer" aria-label={t('customer.title')}>
      <h2 className="panel-title">{t('customer.title')}</h2>
      <p className="customer-name">
        <Link to={`/contacts/${id}`}>{ticket.requester.name || ticket.requester.email}</Link>
        {contact.data?.vip && <span className="badge vip">{t('customer.vip')}</span>}
      </p>
      {contact.data && (
        <dl className="facts">
          {contact.data.emails.map((e) => (
            <dd key={e}>
              <a href={`mailto:${e}`}>{e}</a>
            </dd>
          ))}
          {contact.data.phones.map((p) => (
            <dd key={p}>
              <a href={`tel:${p}`}>{p}</a>
            </dd>
          ))}
          {org.data && (
            <dd>
              <Link to={`/organizations/${org.data.id}`}>{org.data.name}</Link>
              {org.data.vip && <span className="badge vip">{t('customer.vip')}</span>}
            </dd>
          )}
          {contact.data.notes && <dd className="muted">{contact.data.notes}</dd>}
        </dl>
      )}
      <h3 className="panel-subtitle">{t('customer.otherTickets', { count: others.length })}</h3>
      {others.length === 0 && history.isSuccess && <p className="muted">{t('customer.noOtherTickets')}</p>}
      <ul className="mini-list">
        {others.slice(0, 10).map((x) => (
          <li key={x.id}>
            <Link to={`/tickets/${x.number}`}>
              #{x.number} {x.subject}
            </Link>
            <span className="mini-meta">
              <StatusBadge status={x.status} /> {relativeTime(x.updatedAt)}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
