import { useState } from 'react';
import { t } from '../../lib/i18n.js';
import { useFilterFields, useGroups, useStaff } from '../../lib/queries.js';
import { rowsToQuery, type BuilderRow } from './filter-suggest.js';

const blank = (): BuilderRow => ({ field: 'status', op: ':', values: [''], negated: false });

/** Point-and-click conditions that produce the same filter-language text as the search box. */
export function FilterBuilder({ onApply, onCancel }: { onApply: (query: string) => void; onCancel: () => void }) {
  const fields = useFilterFields();
  const staff = useStaff();
  const groups = useGroups();
  const [rows, setRows] = useState<BuilderRow[]>([blank()]);
  const query = rowsToQuery(rows);
  const update = (i: number, patch: Partial<BuilderRow>) => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  const optionsFor = (name: string): string[] => {
    const f = fields.data?.find((x) => x.name === name);
    const extra = name === 'assignee' ? (staff.data ?? []).map((u) => u.email) : name === 'group' ? (groups.data ?? []).map((g) => g.name) : [];
    return [...(f?.keywords ?? []), ...(f?.values ?? []), ...extra];
  };

  return (
    <div className="filter-builder" role="group" aria-label={t('filter.builder')}>
      {rows.map((row, i) => {
        const spec = fields.data?.find((f) => f.name === row.field);
        const ops = row.field === 'text' ? [':'] : (spec?.operators ?? [':']);
        const options = optionsFor(row.field);
        return (
          <div className="builder-row" key={i}>
            <label className="check">
              <input type="checkbox" checked={row.negated} onChange={(e) => update(i, { negated: e.target.checked })} />
              {t('filter.not')}
            </label>
            <select aria-label={t('filter.field')} value={row.field} onChange={(e) => update(i, { field: e.target.value, op: ':', values: [''] })}>
              <option value="text">{t('filter.anyText')}</option>
              {(fields.data ?? []).map((f) => (
                <option key={f.name} value={f.name}>
                  {f.name}
                </option>
              ))}
            </select>
            <select aria-label={t('filter.operator')} value={row.op} onChange={(e) => update(i, { op: e.target.value })} disabled={ops.length < 2}>
              {ops.map((o) => (
                <option key={o} value={o}>
                  {t(`filter.op.${o as ':' | '>' | '>=' | '<' | '<='}`)}
                </option>
              ))}
            </select>
            {options.length > 0 ? (
              <select aria-label={t('filter.value')} value={row.values[0] ?? ''} onChange={(e) => update(i, { values: [e.target.value] })}>
                <option value="">{t('filter.chooseValue')}</option>
                {options.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
            ) : (
              <input aria-label={t('filter.value')} value={row.values.join(',')} placeholder={spec?.example ?? ''} onChange={(e) => update(i, { values: row.field === 'text' ? [e.target.value] : e.target.value.split(',') })} />
            )}
            <button type="button" className="icon-button" aria-label={t('filter.removeCondition')} onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))}>
              ×
            </button>
          </div>
        );
      })}
      <div className="builder-footer">
        <button type="button" className="button" onClick={() => setRows((rs) => [...rs, blank()])}>
          {t('filter.addCondition')}
        </button>
        <code className="builder-preview" aria-label={t('filter.preview')}>
          {query || '—'}
        </code>
        <span className="spacer" />
        <button type="button" className="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
        <button type="button" className="button primary" disabled={!query} onClick={() => onApply(query)}>
          {t('filter.apply')}
        </button>
      </div>
    </div>
  );
}
