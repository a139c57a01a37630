import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Dialog } from '../../components/dialog.js';
import { ErrorState, Loading } from '../../components/states.js';
import { toast, toastError } from '../../components/toast.js';
import { api, ApiError } from '../../lib/api.js';
import { TYPES } from '../../lib/domain.js';
import { t } from '../../lib/i18n.js';
import { useCustomFields } from '../../lib/queries.js';
import type { CustomField, TicketType } from '../../lib/types.js';

const FIELD_TYPES = ['text', 'number', 'dropdown', 'multi_select', 'checkbox', 'date'] as const satisfies readonly CustomField['type'][];

export function CustomFieldsAdmin({ canEdit }: { canEdit: boolean }) {
  const fields = useCustomFields();
  const qc = useQueryClient();
  const [editing, setEditing] = useState<CustomField | 'new' | null>(null);
  const toggle = useMutation({
    mutationFn: (f: CustomField) => api.patch(`/api/v1/custom-fields/${f.id}`, { active: !f.active }),
    onSettled: () => void qc.invalidateQueries({ queryKey: ['custom-fields'] }),
    onError: (e) => toastError(e),
  });
  if (fields.isPending) return <Loading />;
  if (fields.isError) return <ErrorState error={fields.error} />;
  return (
    <section>
      {canEdit && <div className="toolbar"><button type="button" className="button primary" onClick={() => setEditing('new')}>{t('fields.new')}</button></div>}
      <p className="hint">{t('fields.explain')}</p>
      <table className="simple-table">
        <thead><tr><th>{t('fields.label')}</th><th>{t('fields.key')}</th><th>{t('fields.type')}</th><th>{t('fields.requiredFor')}</th><th>{t('admin.state')}</th><th /></tr></thead>
        <tbody>
          {fields.data.map((f) => (
            <tr key={f.id} className={f.active ? '' : 'muted'}>
              <td>{f.label}</td>
              <td><code>cf.{f.key}</code></td>
              <td>{t(`fieldType.${f.type}`)}</td>
              <td>{f.requiredForTypes.length ? f.requiredForTypes.map((x) => t(`type.${x}`)).join(', ') : t('fields.allOptional')}</td>
              <td>{f.active ? t('admin.active') : t('admin.inactive')}</td>
              <td>
                {canEdit && (
                  <>
                    <button type="button" className="button small" onClick={() => setEditing(f)}>{t('common.edit')}</button>{' '}
                    <button type="button" className="button small" onClick={() => toggle.mutate(f)}>{f.active ? t('fields.deactivate') : t('fields.activate')}</button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {editing && <FieldDialog field={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
    </section>
  );
}

function FieldDialog({ field, onClose }: { field: CustomField | null; onClose: () => void }) {
  const qc = useQueryClient();
  const [label, setLabel] = useState(field?.label ?? '');
  const [key, setKey] = useState(field?.key ?? '');
  const [type, setType] = useState<CustomField['type']>(field?.type ?? 'text');
  const [options, setOptions] = useState((field?.options ?? []).join(', '));
  const [required, setRequired] = useState<TicketType[]>(field?.requiredForTypes ?? []);
  const opts = options.split(',').map((x) => x.trim()).filter(Boolean);
  const save = useMutation({
    mutationFn: () =>
      field
        ? api.patch(`/api/v1/custom-fields/${field.id}`, { label, options: opts, requiredForTypes: required })
        : api.post('/api/v1/custom-fields', { key, label, type, options: opts, requiredForTypes: required }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['custom-fields'] });
      void qc.invalidateQueries({ queryKey: ['filter-fields'] });
      toast(t('common.saved'));
      onClose();
    },
  });
  const hasOptions = type === 'dropdown' || type === 'multi_select';
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={field ? t('fields.edit') : t('fields.new')}>
      <form className="stack" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
        <label className="field"><span>{t('fields.label')}</span><input value={label} onChange={(e) => setLabel(e.target.value)} required autoFocus /></label>
        <label className="field"><span>{t('fields.key')}</span><input value={key} onChange={(e) => setKey(e.target.value)} disabled={!!field} pattern="[a-z][a-z0-9_]*" required /></label>
        <label className="field">
          <span>{t('fields.type')}</span>
          <select value={type} onChange={(e) => setType(e.target.value as CustomField['type'])} disabled={!!field}>
            {FIELD_TYPES.map((x) => <option key={x} value={x}>{t(`fieldType.${x}`)}</option>)}
          </select>
        </label>
        {hasOptions && <label className="field"><span>{t('fields.options')}</span><input value={options} onChange={(e) => setOptions(e.target.value)} placeholder="EU, US, APAC" /></label>}
        <fieldset className="columns-picker">
          <legend>{t('fields.requiredFor')}</legend>
          {TYPES.map((x) => (
            <label key={x} className="check"><input type="checkbox" checked={required.includes(x)} onChange={(e) => setRequired((r) => (e.target.checked ? [...r, x] : r.filter((y) => y !== x)))} />{t(`type.${x}`)}</label>
          ))}
        </fieldset>
        {save.error && <p className="form-error" role="alert">{save.error instanceof ApiError ? save.error.message : t('errors.unexpected')}</p>}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" className="button primary" disabled={save.isPending}>{t('common.save')}</button>
        </div>
      </form>
    </Dialog>
  );
}
