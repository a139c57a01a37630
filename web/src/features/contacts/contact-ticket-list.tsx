import { PriorityBadge, StatusBadge } from '../../components/badges.js';
import { Empty } from '../../components/states.js';
import { relativeTime } from '../../lib/format.js';
import { t } from '../../lib/i18n.js';
import { Link } from '../../lib/router.js';
import type { Ticket } from '../../lib/types.js';

/** A compact history of tickets (a contact's or an organization's). */
export function TicketHistory({ tickets }: { tickets: Ticket[] }) {
  if (tickets.length === 0) return <Empty text={t('contacts.noTickets')} />;
  return (
    <table className="simple-table">
      <thead>
        <tr>
          <th>{t('column.number')}</th>
          <th>{t('column.subject')}</th>
          <th>{t('column.status')}</th>
          <th>{t('column.priority')}</th>
          <th>{t('column.updated')}</th>
        </tr>
      </thead>
      <tbody>
        {tickets.map((x) => (
          <tr key={x.id}>
            <td>#{x.number}</td>
            <td>
              <Link to={`/tickets/${x.number}`}>{x.subject}</Link>
            </td>
            <td>
              <StatusBadge status={x.status} />
            </td>
            <td>
              <PriorityBadge priority={x.priority} />
            </td>
            <td>{relativeTime(x.updatedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export const splitList = (s: string): string[] => s.split(/[\n,;]+/).map((x) => x.trim()).filter(Boolean);
