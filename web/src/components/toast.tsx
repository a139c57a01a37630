import { useEffect, useState } from 'react';
import { ApiError } from '../lib/api.js';
import { t } from '../lib/i18n.js';

interface Toast {
  id: number;
  text: string;
  kind: 'info' | 'error';
}

let seq = 0;
let toasts: Toast[] = [];
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((fn) => fn());

export function toast(text: string, kind: Toast['kind'] = 'info'): void {
  const item = { id: ++seq, text, kind };
  toasts = [...toasts, item];
  emit();
  setTimeout(() => {
    toasts = toasts.filter((x) => x !== item);
    emit();
  }, kind === 'error' ? 8000 : 4000);
}

/** Shows what went wrong in words the agent can act on; the API's message is already human. */
export function toastError(err: unknown): void {
  if (err instanceof ApiError) toast(err.code === 'network' ? t('errors.network') : err.message, 'error');
  else toast(t('errors.unexpected'), 'error');
}

export function Toaster() {
  const [, force] = useState(0);
  useEffect(() => {
    const fn = () => force((n) => n + 1);
    listeners.add(fn);
    return () => void listeners.delete(fn);
  }, []);
  return (
    <div className="toaster" role="status" aria-live="polite">
      {toasts.map((x) => (
        <div key={x.id} className={`toast toast-${x.kind}`}>
          {x.text}
        </div>
      ))}
    </div>
  );
}
