import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorState, Loading } from '../../components/states.js';
import { toast } from '../../components/toast.js';
import { api, ApiError } from '../../lib/api.js';
import { t } from '../../lib/i18n.js';
import { useSettings } from '../../lib/queries.js';
import type { Settings } from '../../lib/types.js';

export function SettingsAdmin({ canEdit }: { canEdit: boolean }) {
  const settings = useSettings();
  if (settings.isPending) return <Loading />;
  if (settings.isError) return <ErrorState error={settings.error} />;
  return <SettingsForm initial={settings.data} canEdit={canEdit} />;
}

function SettingsForm({ initial, canEdit }: { initial: Settings; canEdit: boolean }) {
  const qc = useQueryClient();
  const [s, setS] = useState(initial);
  const save = useMutation({
    mutationFn: () => api.patch<Settings>('/api/v1/settings', s),
    onSuccess: (next) => {
      qc.setQueryData(['settings'], next);
      toast(t('common.saved'));
    },
  });
  return (
    <form className="panel stack narrow" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
      <label className="field"><span>{t('settings.helpdeskName')}</span><input value={s.helpdeskName} onChange={(e) => setS({ ...s, helpdeskName: e.target.value })} disabled={!canEdit} /></label>
      <label className="field"><span>{t('settings.timeZone')}</span><input value={s.timeZone} onChange={(e) => setS({ ...s, timeZone: e.target.value })} disabled={!canEdit} placeholder="Europe/Berlin" /></label>
      <label className="field"><span>{t('settings.locale')}</span><input value={s.defaultLocale} onChange={(e) => setS({ ...s, defaultLocale: e.target.value })} disabled={!canEdit} /></label>
      {save.error && <p className="form-error" role="alert">{save.error instanceof ApiError ? save.error.message : t('errors.unexpected')}</p>}
      {canEdit && <div className="dialog-actions"><button type="submit" className="button primary" disabled={save.isPending}>{t('common.save')}</button></div>}
    </form>
  );
}
