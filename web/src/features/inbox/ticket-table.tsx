import { memo } from 'react';
import { PriorityBadge, StatusBadge, Tag } from '../../components/badges.js';
import { Icon } from '../../components/icons.js';
import { relativeTime } from '../../lib/format.js';
import { t, type MessageKey } from '../../lib/i18n.js';
import { Link } from '../../lib/router.js';
import type { Ticket, ViewColumn, ViewSort } from '../../lib/types.js';
import { SlaCountdown } from '../sla/sla-countdown.js';

const SORTABLE: Partial<Record<ViewColumn, 'number' | 'created' | 'updated'>> = { number: 'number', created: 'created', updated: 'updated' };

interface Props {
  tickets: Ticket[];
  columns: ViewColumn[];
  selected: Set<number>;
  cursor: number;
  sort: ViewSort;
  groupName: (id: string | null) => string;
  onSelect: (n: number, on: boolean) => void;
  onSelectAll: (on: boolean) => void;
  onStar: (t: Ticket) => void;
  onSort: (s: ViewSort) => void;
}

function Cell({ col, tk, groupName }: { col: ViewColumn; tk: Ticket; groupName: Props['groupName'] }) {
  switch (col) {
    case 'number':
      return <td className="col-number">#{tk.number}</td>;
    case 'subject':
      return (
        <td className="col-subject">
          <Link to={`/tickets/${tk.number}`} className="ticket-link">
            {tk.subject}
          </Link>
          <SlaCountdown sla={tk.sla} />
          <span className="subject-meta">
            {tk.requester.name || tk.requester.email} · {relativeTime(tk.updatedAt)}
          </span>
        </td>
      );
    case 'requester':
      return (
        <td className="col-requester" title={tk.requester.email ?? ''}>
          {tk.requester.name || tk.requester.email}
        </td>
      );
    case 'status':
      return (
        <td className="col-status">
          <StatusBadge status={tk.status} />
        </td>
      );
    case 'priority':
      return (
        <td className="col-priority">
          <PriorityBadge priority={tk.priority} />
        </td>
      );
    case 'assignee':
      return <td className="col-assignee">{tk.assignee?.name ?? <span className="muted">{t('ticket.unassigned')}</span>}</td>;
    case 'group':
      return <td className="col-group">{groupName(tk.groupId)}</td>;
    case 'channel':
      return <td className="col-channel">{t(`channel.${tk.channel}`)}</td>;
    case 'type':
      return <td className="col-type">{t(`type.${tk.type}`)}</td>;
    case 'tags':
      return (
        <td className="col-tags">
          {tk.tags.slice(0, 3).map((x) => (
            <Tag key={x} name={x} />
          ))}
          {tk.tags.length > 3 && <span className="muted">+{tk.tags.length - 3}</span>}
        </td>
      );
    case 'created':
      return <td className="col-date">{relativeTime(tk.createdAt)}</td>;
    case 'updated':
      return <td className="col-date">{relativeTime(tk.updatedAt)}</td>;
  }
}

const Row = memo(function Row({ tk, columns, checked, current, groupName, onSelect, onStar }: { tk: Ticket; columns: ViewColumn[]; checked: boolean; current: boolean; groupName: Props['groupName']; onSelect: Props['onSelect']; onStar: Props['onStar'] }) {
  const cls = ['ticket-row', tk.priority === 'urgent' ? 'row-urgent' : '', checked ? 'row-selected' : '', current ? 'row-current' : ''].filter(Boolean).join(' ');
  return (
    <tr className={cls} data-number={tk.number} aria-selected={checked}>
      <td className="col-check">
        <input type="checkbox" checked={checked} aria-label={t('list.selectTicket', { number: tk.number })} onChange={(e) => onSelect(tk.number, e.target.checked)} />
      </td>
      <td className="col-star">
        <button type="button" className={tk.starred ? 'star on' : 'star'} aria-pressed={tk.starred} aria-label={tk.starred ? t('list.unstar') : t('list.star')} onClick={() => onStar(tk)}>
          <Icon name="star" filled={tk.starred} />
        </button>
      </td>
      {columns.map((c) => (
        <Cell key={c} col={c} tk={tk} groupName={groupName} />
      ))}
    </tr>
  );
});

export function TicketTable({ tickets, columns, selected, cursor, sort, groupName, onSelect, onSelectAll, onStar, onSort }: Props) {
  const all = tickets.length > 0 && tickets.every((x) => selected.has(x.number));
  return (
    <table className="ticket-table">
      <thead>
        <tr>
          <th className="col-check">
            <input type="checkbox" checked={all} aria-label={t('list.selectAll')} onChange={(e) => onSelectAll(e.target.checked)} />
          </th>
          <th className="col-star" aria-label={t('list.starred')} />
          {columns.map((c) => {
            const key = SORTABLE[c];
            const dir = key && sort.startsWith(key) ? (sort.endsWith('desc') ? 'descending' : 'ascending') : undefined;
            return (
              <th key={c} className={`col-${c}`} aria-sort={dir ?? 'none'}>
                {key ? (
                  <button type="button" className="sort-button" onClick={() => onSort(`${key}_${dir === 'descending' ? 'asc' : 'desc'}` as ViewSort)}>
                    {t(`column.${c}` as MessageKey)}
                    {dir && <span aria-hidden="true">{dir === 'descending' ? ' ↓' : ' ↑'}</span>}
                  </button>
                ) : (
                  t(`column.${c}` as MessageKey)
                )}
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody>
        {tickets.map((tk, i) => (
          <Row key={tk.id} tk={tk} columns={columns} checked={selected.has(tk.number)} current={i === cursor} groupName={groupName} onSelect={onSelect} onStar={onStar} />
        ))}
      </tbody>
    </table>
  );
}
