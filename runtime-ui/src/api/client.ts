// The one way the UI talks to the engine: JSON in and out, the session's bearer token, problem+json turned into
// ApiError (with its per-field errors), and a 401 signing the user out.
import type { FieldError } from './field-error.js';

export type { FieldError };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly detail: string,
    readonly fieldErrors: FieldError[],
    readonly body: unknown,
  ) {
    super(detail);
  }
}

const TOKEN_KEY = 'tessera.token';
let onUnauthorized: () => void = () => undefined;

export const tokenStore = {
  get: (): string | null => localStorage.getItem(TOKEN_KEY),
  set: (token: string | null) => (token ? localStorage.setItem(TOKEN_KEY, token) : localStorage.removeItem(TOKEN_KEY)),
};

export function whenUnauthorized(fn: () => void): void {
  onUnauthorized = fn;
}

export async function api<T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const token = tokenStore.get();
  const res = await fetch(path, {
    method,
    headers: {
      accept: 'application/json',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const json: unknown = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    const p = (json ?? {}) as { type?: string; title?: string; detail?: string; errors?: FieldError[] };
    if (res.status === 401 && token && !path.startsWith('/api/auth/login')) onUnauthorized();
    throw new ApiError(res.status, p.title ?? p.type ?? 'error', p.detail ?? res.statusText, p.errors ?? [], json);
  }
  return json as T;
}

/** A file the API makes (an export), with the session's token; problem+json errors throw like api(). */
export async function apiBlob(path: string): Promise<Blob> {
  const token = tokenStore.get();
  const res = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!res.ok) {
    const p = (await res.json().catch(() => ({}))) as { title?: string; detail?: string; errors?: FieldError[] };
    throw new ApiError(res.status, p.title ?? 'error', p.detail ?? res.statusText, p.errors ?? [], p);
  }
  return res.blob();
}

/**
 * Sends a file as the raw request body (the engine's upload protocol: the name in `?name=`, the type sniffed from
 * the bytes on the server); problem+json errors (413 too large, 415 type refused, 400 bad name) throw like api().
 */
export async function apiUpload<T = unknown>(method: 'PUT' | 'POST', path: string, file: File): Promise<T> {
  const token = tokenStore.get();
  const res = await fetch(`${path}${path.includes('?') ? '&' : '?'}name=${encodeURIComponent(file.name)}`, {
    method,
    headers: {
      accept: 'application/json',
      ...(file.type ? { 'content-type': file.type } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: file,
  });
  const text = await res.text();
  const json: unknown = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    const p = (json ?? {}) as { title?: string; detail?: string; errors?: FieldError[] };
    throw new ApiError(res.status, p.title ?? 'error', p.detail ?? res.statusText, p.errors ?? [], json);
  }
  return json as T;
}

/** Saves what the API sends at `path` as a file named `name` (the token rides in a header, so no plain link). */
export async function downloadFile(path: string, name: string): Promise<void> {
  const url = URL.createObjectURL(await apiBlob(path));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A list URL: objects (filters) become URL-encoded JSON, arrays comma lists. */
export function listPath(entity: string, params: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) continue;
    const text =
      typeof value === 'string'
        ? value
        : Array.isArray(value)
          ? value.join(',')
          : typeof value === 'object'
            ? JSON.stringify(value)
            : String(value);
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(text)}`);
  }
  return `/api/v1/${entity}${parts.length ? `?${parts.join('&')}` : ''}`;
}
