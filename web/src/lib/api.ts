import type { ApiErrorBody } from './types.js';

/** An API error as `{ error: { code, message, details } }` (contracts/errors.ts); code is stable. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
const expiryListeners = new Set<() => void>();

/** The session's CSRF token comes from the login and /me responses; every write echoes it. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when the server says the session is gone (expired, signed out elsewhere). */
export function onSessionExpired(fn: () => void): () => void {
  expiryListeners.add(fn);
  return () => expiryListeners.delete(fn);
}

type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

/**
 * A response index.html asked for before the bundle ran, taken once, on a page just loaded.
 * Anything but a success is asked again: the queue asked for before a sign-in was refused then.
 */
function takeEarly(url: string, init: RequestInit): Promise<Response> | undefined {
  const early = (window as { __tesseraEarly?: Record<string, Promise<Response>> }).__tesseraEarly;
  const response = early?.[url];
  if (!response) return undefined;
  delete early[url];
  if (performance.now() > 10_000) return undefined;
  return response.then(
    (r) => (r.ok ? r : fetch(url, init)),
    () => fetch(url, init),
  );
}

async function request<T>(method: string, path: string, body?: unknown, init: { signal?: AbortSignal } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    const req: RequestInit = { method, headers, body: payload, credentials: 'same-origin', signal: init.signal ?? null };
    res = await ((method === 'GET' ? takeEarly(path, req) : undefined) ?? fetch(path, req));
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'network', 'The server cannot be reached. Check your connection.');
  }
  const text = await res.text();
  const json = text ? (safeJson(text) as unknown) : undefined;
  if (!res.ok) {
    const e = (json as { error?: ApiErrorBody } | undefined)?.error;
    const err = new ApiError(res.status, e?.code ?? 'http_' + res.status, e?.message ?? res.statusText, e?.details);
    // Login failures are 401 too but are answered on the sign-in form, not as an expiry.
    if (res.status === 401 && err.code === 'unauthenticated') for (const fn of expiryListeners) fn();
    throw err;
  }
  return json as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const api = {
  get: <T>(path: string, query?: Query, init?: { signal?: AbortSignal }) => request<T>('GET', withQuery(path, query), undefined, init),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  delete: <T>(path: string) => request<T>('DELETE', path),
  upload: <T>(path: string, file: File) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return request<T>('POST', path, form);
  },
};

/** The field-level problems of a 400, keyed by the last path segment, for forms. */
export function fieldErrors(err: unknown): Record<string, string> {
  if (!(err instanceof ApiError) || err.code !== 'validation_failed') return {};
  const fields = (err.details as { fields?: { path: string; message: string }[] } | undefined)?.fields ?? [];
  return Object.fromEntries(fields.map((f) => [f.path.split('.').pop() ?? f.path, f.message]));
}
