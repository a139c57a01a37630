import { t } from '../lib/i18n.js';
import type { TicketPriority, TicketStatus } from '../lib/types.js';
import { Icon } from './icons.js';

export function StatusBadge({ status }: { status: TicketStatus }) {
  return <span className={`badge status-${status}`}>{t(`status.${status}`)}</span>;
}

/** Urgent carries an icon and a filled red badge so it cannot be missed (not colour alone). */
export function PriorityBadge({ priority }: { priority: TicketPriority }) {
  return (
    <span className={`badge priority-${priority}`}>
      {priority === 'urgent' && <Icon name="alert" size={12} />}
      {t(`priority.${priority}`)}
    </span>
  );
}

export function Tag({ name, onRemove }: { name: string; onRemove?: () => void }) {
  return (
    <span className="tag">
      {name}
      {onRemove && (
        <button type="button" className="tag-remove" aria-label={t('tags.remove', { tag: name })} onClick={onRemove}>
          ×
        </button>
      )}
    </span>
  );
}
