import { ApiError } from '../lib/api.js';
import { t } from '../lib/i18n.js';

export function Loading({ label }: { label?: string }) {
  return (
    <div className="state-loading" role="progressbar" aria-label={label ?? t('common.loading')}>
      <span className="spinner" />
      {label ?? t('common.loading')}
    </div>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const notFound = error instanceof ApiError && error.status === 404;
  return (
    <div className="state-error" role="alert">
      <p>{notFound ? t('errors.notFound') : error instanceof ApiError ? error.message : t('errors.unexpected')}</p>
      {onRetry && !notFound && (
        <button type="button" className="button" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}

export function Empty({ text }: { text: string }) {
  return <div className="state-empty">{text}</div>;
}
