import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../../lib/api.js';
import { t } from '../../lib/i18n.js';
import type { Me } from '../../lib/types.js';

export function SignInPage({ expired, onSignedIn }: { expired: boolean; onSignedIn: (me: Me) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const me = await api.post<Me>('/api/v1/auth/login', { email, password });
      if (me.user.role === 'customer') {
        await api.post('/api/v1/auth/logout').catch(() => undefined);
        setError(t('auth.customerNotAllowed'));
        return;
      }
      onSignedIn(me);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'invalid_credentials') setError(t('auth.invalidCredentials'));
      else if (err instanceof ApiError && err.code === 'rate_limited') setError(t('auth.rateLimited'));
      else if (err instanceof ApiError && err.code === 'validation_failed') setError(t('auth.checkFields'));
      else setError(err instanceof ApiError ? err.message : t('errors.unexpected'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <form className="sign-in-card" onSubmit={submit} noValidate>
        <div className="brand brand-large">
          <span className="brand-mark">T</span> Tessera
        </div>
        <h1>{t('auth.signInTitle')}</h1>
        {expired && (
          <p className="notice" role="status">
            {t('auth.sessionExpired')}
          </p>
        )}
        <label className="field">
          <span>{t('auth.email')}</span>
          <input type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required autoFocus />
        </label>
        <label className="field">
          <span>{t('auth.password')}</span>
          <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="button primary wide" disabled={busy || !email || !password}>
          {busy ? t('auth.signingIn') : t('auth.signIn')}
        </button>
      </form>
    </main>
  );
}
