import { useState, type RefObject } from 'react';
import { Tag } from '../../components/badges.js';
import { PRIORITIES, STATUSES, TYPES } from '../../lib/domain.js';
import { t } from '../../lib/i18n.js';
import { useCustomFields, useGroups, useStaff } from '../../lib/queries.js';
import type { CustomField, Ticket, TicketPriority, TicketStatus, TicketType } from '../../lib/types.js';
import { useUpdateTicket } from './ticket-api.js';

function CustomFieldInput({ field, value, onSave }: { field: CustomField; value: unknown; onSave: (v: unknown) => void }) {
  const [draft, setDraft] = useState(value === undefined || value === null ? '' : String(value));
  const id = `cf-${field.key}`;
  switch (field.type) {
    case 'checkbox':
      return <input id={id} type="checkbox" checked={value === true} onChange={(e) => onSave(e.target.checked)} />;
    case 'dropdown':
      return (
        <select id={id} value={typeof value === 'string' ? value : ''} onChange={(e) => onSave(e.target.value || null)}>
          <option value="">—</option>
          {field.options.map((o) => (
            <option key={o}>{o}</option>
          ))}
        </select>
      );
    case 'multi_select': {
      const current = Array.isArray(value) ? (value as string[]) : [];
      return (
        <div className="checks" id={id}>
          {field.options.map((o) => (
            <label key={o} className="check">
              <input type="checkbox" checked={current.includes(o)} onChange={(e) => onSave(e.target.checked ? [...current, o] : current.filter((x) => x !== o))} />
              {o}
            </label>
          ))}
        </div>
      );
    }
    default: {
      const type = field.type === 'number' ? 'number' : field.type === 'date' ? 'date' : 'text';
      const commit = () => {
        const next = draft === '' ? null : field.type === 'number' ? Number(draft) : draft;
        if (next !== (value ?? null)) onSave(next);
      };
      return <input id={id} type={type} value={draft} onChange={(e) => setDraft(e.target.value)} onBlur={commit} onKeyDown={(e) => e.key === 'Enter' && commit()} />;
    }
  }
}

/** Status, priority, type, group, assignee, tags and the custom fields of the ticket's type; each change saves at once. */
export function PropertiesPanel({ ticket, statusRef }: { ticket: Ticket; statusRef: RefObject<HTMLSelectElement | null> }) {
  const update = useUpdateTicket(ticket.number);
  const staff = useStaff();
  const groups = useGroups();
  const fields = useCustomFields();
  const [tag, setTag] = useState('');
  const closed = ticket.status === 'closed';
  const typeFields = (fields.data ?? []).filter((f) => f.active && (f.requiredForTypes.length === 0 || f.requiredForTypes.includes(ticket.type)));

  const addTag = () => {
    const v = tag.trim().toLowerCase();
    if (v) update.mutate({ addTags: [v] });
    setTag('');
  };

  return (
    <section className="panel properties" aria-label={t('ticket.properties')}>
      <h2 className="panel-title">{t('ticket.properties')}</h2>
      {closed && <p className="muted closed-note">{t('prop.closedReadOnly')}</p>}
      {/* Closed is final on the server; a disabled fieldset disables every control inside it. */}
      <fieldset className="prop-fields" disabled={closed}>
        <label className="prop">
          <span>{t('prop.status')}</span>
          <select ref={statusRef} value={ticket.status} onChange={(e) => update.mutate({ status: e.target.value as TicketStatus })}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label className={`prop prop-priority-${ticket.priority}`}>
          <span>{t('prop.priority')}</span>
          <select value={ticket.priority} onChange={(e) => update.mutate({ priority: e.target.value as TicketPriority })}>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {t(`priority.${p}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="prop">
          <span>{t('prop.type')}</span>
          <select value={ticket.type} onChange={(e) => update.mutate({ type: e.target.value as TicketType })}>
            {TYPES.map((x) => (
              <option key={x} value={x}>
                {t(`type.${x}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="prop">
          <span>{t('prop.group')}</span>
          <select value={ticket.groupId ?? ''} onChange={(e) => update.mutate({ groupId: e.target.value || null })}>
            <option value="">{t('prop.noGroup')}</option>
            {(groups.data ?? []).map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </select>
        </label>
        <label className="prop">
          <span>{t('prop.assignee')}</span>
          <select value={ticket.assignee?.id ?? ''} onChange={(e) => update.mutate({ assigneeId: e.target.value || null })}>
            <option value="">{t('ticket.unassigned')}</option>
            {(staff.data ?? [])
              .filter((u) => u.active || u.id === ticket.assignee?.id)
              .map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name}
                </option>
              ))}
          </select>
        </label>
        <div className="prop">
          <span>{t('prop.tags')}</span>
          <div className="tag-editor">
            {ticket.tags.map((x) => (
              <Tag key={x} name={x} onRemove={() => update.mutate({ removeTags: [x] })} />
            ))}
            <input
              aria-label={t('prop.addTag')}
              placeholder={t('prop.addTag')}
              value={tag}
              onChange={(e) => setTag(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ',') {
                  e.preventDefault();
                  addTag();
                }
              }}
              onBlur={addTag}
            />
          </div>
        </div>
        {typeFields.length > 0 && <h3 className="panel-subtitle">{t('prop.customFields')}</h3>}
        {typeFields.map((f) => (
          <div className="prop" key={f.id}>
            <label htmlFor={`cf-${f.key}`}>
              {f.label}
              {f.requiredForTypes.includes(ticket.type) && <span className="required" title={t('prop.required')}> *</span>}
            </label>
            <CustomFieldInput key={`${f.key}:${JSON.stringify(ticket.customFields[f.key] ?? null)}`} field={f} value={ticket.customFields[f.key]} onSave={(v) => update.mutate({ customFields: { [f.key]: v } })} />
          </div>
        ))}
      </fieldset>
    </section>
  );
}
