import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorState, Loading } from '../../components/states.js';
import { toast } from '../../components/toast.js';
import { api, ApiError } from '../../lib/api.js';
import { t } from '../../lib/i18n.js';

interface CsatSettings {
  enabled: boolean;
  scale: 'good_bad' | 'five';
  changeDays: number;
  linkDays: number;
}

/** Satisfaction surveys (admins): on/off, the scale, how long links work and ratings may change. */
export function CsatAdmin({ canEdit }: { canEdit: boolean }) {
  const settings = useQuery({ queryKey: ['csat-settings'], queryFn: () => api.get<CsatSettings>('/api/v1/csat/settings'), enabled: canEdit });
  if (!canEdit) return null;
  if (settings.isPending) return <Loading />;
  if (settings.isError) return <ErrorState error={settings.error} />;
  return <CsatForm initial={settings.data} />;
}

function CsatForm({ initial }: { initial: CsatSettings }) {
  const qc = useQueryClient();
  const [s, setS] = useState(initial);
  const save = useMutation({
    mutationFn: () => api.patch<CsatSettings>('/api/v1/csat/settings', { enabled: s.enabled, scale: s.scale, changeDays: s.changeDays, linkDays: s.linkDays }),
    onSuccess: (next) => {
      qc.setQueryData(['csat-settings'], next);
      toast(t('common.saved'));
    },
  });
  return (
    <form className="panel stack narrow" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
      <label className="check"><input type="checkbox" checked={s.enabled} onChange={(e) => setS({ ...s, enabled: e.target.checked })} />{t('csatAdmin.enabled')}</label>
      <label className="field"><span>{t('csatAdmin.scale')}</span>
        <select value={s.scale} onChange={(e) => setS({ ...s, scale: e.target.value as CsatSettings['scale'] })}>
          <option value="good_bad">{t('csatAdmin.goodBad')}</option>
          <option value="five">{t('csatAdmin.five')}</option>
        </select>
      </label>
      <label className="field"><span>{t('csatAdmin.linkDays')}</span><input type="number" min={1} max={365} value={s.linkDays} onChange={(e) => setS({ ...s, linkDays: Number(e.target.value) })} /></label>
      <label className="field"><span>{t('csatAdmin.changeDays')}</span><input type="number" min={0} max={60} value={s.changeDays} onChange={(e) => setS({ ...s, changeDays: Number(e.target.value) })} /></label>
      {save.error && <p className="form-error" role="alert">{save.error instanceof ApiError ? save.error.message : t('errors.unexpected')}</p>}
      <div className="dialog-actions"><button type="submit" className="button primary" disabled={save.isPending}>{t('common.save')}</button></div>
    </form>
  );
}
