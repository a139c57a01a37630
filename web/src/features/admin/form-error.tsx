import { ApiError } from '../../lib/api.js';
import { t } from '../../lib/i18n.js';

/** The server's message for a failed save (stable codes carry readable messages), or a generic one. */
export function FormError({ error }: { error: unknown }) {
  if (!error) return null;
  return <p className="form-error" role="alert">{error instanceof ApiError ? error.message : t('errors.unexpected')}</p>;
}
