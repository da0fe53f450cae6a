// Menu entries of the apps in /api/meta -> router locations, and which app a route belongs to.
import type { AppMeta, MenuItemMeta } from '../api/meta-types';

export function itemsOf(app: AppMeta): MenuItemMeta[] {
  return app.menu.flatMap((m) => ('group' in m ? m.items : [m]));
}

export function linkOf(item: MenuItemMeta): string {
  if (item.entity) return `/e/${item.entity}${item.view ? `?view=${encodeURIComponent(item.view)}` : ''}`;
  if (item.dashboard) return `/d/${item.dashboard}`;
  if (item.page === 'home' || !item.page) return '/';
  return `/${item.page}`;
}

/** The app whose menu opens `entity` (the current one when it does, so switching apps is never surprising). */
export function appFor(apps: readonly AppMeta[], current: string | null, entity: string | undefined): AppMeta | undefined {
  const has = (a: AppMeta) => entity !== undefined && itemsOf(a).some((i) => i.entity === entity);
  const cur = apps.find((a) => a.name === current);
  if (cur && (!entity || has(cur))) return cur;
  return apps.find(has) ?? cur ?? apps[0];
}
