import type { ReactNode } from 'react';
import { StatusBadge } from '../../components/badges.js';
import { dateTime } from '../../lib/format.js';
import { t, type MessageKey } from '../../lib/i18n.js';
import { nameOf, useGroups, useStaff } from '../../lib/queries.js';
import { Link } from '../../lib/router.js';
import type { Message, Ticket, TicketEvent, TicketPriority, TicketStatus, TicketType } from '../../lib/types.js';
import { MessageCard } from './message-card.js';

type Item = { at: string; message: Message } | { at: string; event: TicketEvent };

// Messages already show themselves; these events would only repeat them.
const HIDDEN = new Set(['message_added', 'created']);

function EventLine({ event, actor, groupName, userName }: { event: TicketEvent; actor: string; groupName: (id: string | null) => string; userName: (id: string | null) => string }) {
  const to = event.to as unknown;
  const from = event.from as unknown;
  let body: ReactNode;
  switch (event.action) {
    case 'status_changed':
      body = (
        <>
          {t('event.statusChanged', { actor })} <StatusBadge status={from as TicketStatus} /> → <StatusBadge status={to as TicketStatus} />
        </>
      );
      break;
    case 'assigned':
      body = to ? t('event.assigned', { actor, to: userName(to as string) }) : t('event.unassigned', { actor });
      break;
    case 'priority_changed':
      body = t('event.priorityChanged', { actor, from: t(`priority.${from as TicketPriority}`), to: t(`priority.${to as TicketPriority}`) });
      break;
    case 'type_changed':
      body = t('event.typeChanged', { actor, to: t(`type.${to as TicketType}`) });
      break;
    case 'group_changed':
      body = to ? t('event.groupChanged', { actor, to: groupName(to as string) }) : t('event.groupRemoved', { actor });
      break;
    case 'tags_changed': {
      const before = (from as string[] | null) ?? [];
      const after = (to as string[] | null) ?? [];
      const diff = [...after.filter((x) => !before.includes(x)).map((x) => `+${x}`), ...before.filter((x) => !after.includes(x)).map((x) => `−${x}`)];
      body = t('event.tagsChanged', { actor, tags: diff.join(' ') });
      break;
    }
    case 'merged_into': {
      const n = (to as { number: number }).number;
      body = (
        <>
          {t('event.mergedInto', { actor })} <Link to={`/tickets/${n}`}>#{n}</Link>
        </>
      );
      break;
    }
    case 'merged_from': {
      const n = (to as { number: number }).number;
      body = (
        <>
          <Link to={`/tickets/${n}`}>#{n}</Link> {t('event.mergedFrom', { actor })}
        </>
      );
      break;
    }
    case 'split_to':
    case 'split_from': {
      const n = (to as { number: number }).number;
      body = (
        <>
          {t(event.action === 'split_to' ? 'event.splitTo' : 'event.splitFrom', { actor })} <Link to={`/tickets/${n}`}>#{n}</Link>
        </>
      );
      break;
    }
    default: {
      const key = `event.${event.action}` as MessageKey;
      const s = t(key, { actor });
      body = s === key ? `${actor}: ${event.action.replace(/_/g, ' ')}` : s;
    }
  }
  return (
    <li className="timeline-event" data-action={event.action}>
      <span className="event-dot" aria-hidden="true" />
      <span className="event-text">{body}</span>
      <time className="muted" dateTime={event.at}>
        {dateTime(event.at)}
      </time>
    </li>
  );
}

/** Messages and events in one chronological list; at equal times the message comes first. */
export function Timeline({ ticket, messages, events }: { ticket: Ticket; messages: Message[]; events: TicketEvent[] }) {
  const staff = useStaff();
  const groups = useGroups();
  const userName = (id: string | null) => nameOf(staff.data, id) ?? t('event.someone');
  const groupName = (id: string | null) => nameOf(groups.data, id) ?? t('event.aGroup');
  const actorName = (e: TicketEvent) =>
    e.actor.type === 'user' ? userName(e.actor.id) : e.actor.type === 'contact' ? ticket.requester.name || t('message.customer') : t('event.system');
  const mentionName = (id: string) => {
    const u = staff.data?.find((x) => x.id === id);
    return u ? u.email.split('@')[0]! : id.slice(0, 8);
  };
  const items: Item[] = [...messages.map((m) => ({ at: m.createdAt, message: m })), ...events.filter((e) => !HIDDEN.has(e.action)).map((e) => ({ at: e.at, event: e }))];
  items.sort((a, b) => a.at.localeCompare(b.at) || ('message' in a ? -1 : 0) - ('message' in b ? -1 : 0));
  return (
    <ol className="timeline" aria-label={t('ticket.timeline')}>
      {items.map((it) =>
        'message' in it ? (
          <li key={it.message.id} className="timeline-message">
            <MessageCard message={it.message} mentionName={mentionName} />
          </li>
        ) : (
          <EventLine key={it.event.id} event={it.event} actor={actorName(it.event)} groupName={groupName} userName={userName} />
        ),
      )}
    </ol>
  );
}
