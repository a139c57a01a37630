import { useState, type FormEvent } from 'react';
import { Dialog } from '../../components/dialog.js';
import { toast } from '../../components/toast.js';
import { api, ApiError, fieldErrors } from '../../lib/api.js';
import { t } from '../../lib/i18n.js';

export function ChangePasswordDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (o: boolean) => void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (next.length < 8) return setError(t('account.tooShort'));
    if (next !== confirm) return setError(t('account.mismatch'));
    setBusy(true);
    try {
      await api.post('/api/v1/me/password', { currentPassword: current, newPassword: next });
      toast(t('account.passwordChanged'));
      setCurrent('');
      setNext('');
      setConfirm('');
      onOpenChange(false);
    } catch (err) {
      const fields = fieldErrors(err);
      if (err instanceof ApiError && err.code === 'invalid_credentials') setError(t('account.wrongCurrent'));
      // The current-password check shares sign-in's guess budget, so it answers as sign-in does.
      else if (err instanceof ApiError && err.code === 'rate_limited') setError(t('auth.rateLimited'));
      else if (fields.newPassword) setError(t('account.tooShort'));
      else setError(err instanceof ApiError ? err.message : t('errors.unexpected'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={open} onOpenChange={onOpenChange} title={t('account.changePassword')}>
      <form className="stack" onSubmit={submit}>
        <label className="field">
          <span>{t('account.currentPassword')}</span>
          <input type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required />
        </label>
        <label className="field">
          <span>{t('account.newPassword')}</span>
          <input type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} required minLength={8} />
        </label>
        <label className="field">
          <span>{t('account.confirmPassword')}</span>
          <input type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} required />
        </label>
        <p className="hint">{t('account.otherSessionsEnd')}</p>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={() => onOpenChange(false)}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="button primary" disabled={busy || !current || !next}>
            {t('account.save')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
