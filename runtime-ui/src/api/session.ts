// The signed-in user and the metadata served to them, shared by every screen. Switching the locale reloads the
// metadata (labels are translated server-side).
import { reactive } from 'vue';
import { api, tokenStore, whenUnauthorized } from './client';
import type { EntityMeta, Meta } from './meta-types';
import { locale, setLocale } from '../i18n/i18n';
import type { Locale } from '../i18n/messages';

export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  roles: string[];
  isAdmin: boolean;
}

export const session = reactive({
  user: null as SessionUser | null,
  meta: null as Meta | null,
  unread: 0,
});

export function entityMeta(name: string): EntityMeta | undefined {
  return session.meta?.entities.find((e) => e.name === name);
}

export async function loadMeta(): Promise<void> {
  session.meta = await api<Meta>('GET', `/api/meta?locale=${encodeURIComponent(locale.value)}`);
}

/** Restores a session from the stored token; false when there is none or it expired. */
export async function restoreSession(): Promise<boolean> {
  if (!tokenStore.get()) return false;
  try {
    const me = await api<{ data: SessionUser }>('GET', '/api/auth/me');
    session.user = me.data;
    await loadMeta();
    return true;
  } catch {
    tokenStore.set(null);
    return false;
  }
}

export async function signIn(username: string, password: string): Promise<void> {
  const res = await api<{ data: { token: string; user: SessionUser } }>('POST', '/api/auth/login', { username, password });
  tokenStore.set(res.data.token);
  session.user = res.data.user;
  await loadMeta();
}

export async function signOut(): Promise<void> {
  try {
    await api('POST', '/api/auth/logout');
  } finally {
    tokenStore.set(null);
    session.user = null;
    session.meta = null;
  }
}

export async function switchLocale(next: Locale): Promise<void> {
  setLocale(next);
  if (session.user) await loadMeta();
}

export async function refreshUnread(): Promise<void> {
  const res = await api<{ data: { unread: number } }>('GET', '/api/v1/me/notifications/unread-count');
  session.unread = res.data.unread;
}

whenUnauthorized(() => {
  tokenStore.set(null);
  session.user = null;
  session.meta = null;
  if (location.pathname !== '/login') location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
});
