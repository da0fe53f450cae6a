// Pack UI documents (already valid against their meta-schema) -> the Model's UiModel, defaults filled in. Pure.
import type { Label } from './model.js';
import type { ValidPack } from './pack-spec.js';
import type {
  ActionPlacement,
  AppDef,
  DashboardDef,
  LayoutDef,
  ListFooterDef,
  ListViewDef,
  MenuEntryDef,
  MenuItemDef,
  OverviewDef,
  UiModel,
  UiPage,
  WidgetDef,
} from './ui-model.js';

interface SectionFile {
  name: string;
  label?: Label;
  columns?: number;
  collapsed?: boolean;
  fields: string[];
}
interface LayoutFile {
  id: string;
  entity: string;
  highlights?: string[];
  actions?: { name: string; placement: ActionPlacement }[];
  tabs: {
    name: string;
    label: Label;
    sections?: SectionFile[];
    relatedLists?: { relation: string; label?: Label; columns?: string[]; limit?: number }[];
  }[];
}
interface ListViewFile {
  id: string;
  name: string;
  entity: string;
  label: Label;
  default?: boolean;
  columns: (string | { field: string; width?: number; pinned?: boolean })[];
  sort?: string[];
  filter?: unknown;
  board?: { groupBy: string; cardFields?: string[] };
  footer?: ListFooterDef[];
  calendar?: { date: string; title?: string };
  myTasks?: { dates: string[]; owner: string; done?: string };
}
interface ItemFile {
  name: string;
  label?: Label;
  icon?: string;
  entity?: string;
  view?: string;
  page?: UiPage;
  dashboard?: string;
}
interface AppFile {
  id: string;
  name: string;
  label: Label;
  icon?: string;
  order?: number;
  menu: (ItemFile | { group: string; label: Label; items: ItemFile[] })[];
}

interface OverviewFile {
  id: string;
  name: string;
  entity: string;
  label: Label;
  sections: {
    name: string;
    label?: Label;
    entity: string;
    via: string;
    filter?: unknown;
    columns: string[];
    sort?: string[];
    limit?: number;
    totals?: string[];
  }[];
}

interface DashboardFile {
  id: string;
  name: string;
  label: Label;
  home?: boolean;
  order?: number;
  widgets: (Omit<WidgetDef, 'width'> & { width?: number })[];
}

export const DEFAULT_RELATED_LIMIT = 20;
/** A number takes one of the dashboard's four columns, a chart or a list two. */
const defaultWidth = (type: WidgetDef['type']) => (type === 'number' ? 1 : 2);

function compileOverview(pack: string, file: string, spec: OverviewFile): OverviewDef {
  return {
    id: spec.id,
    name: spec.name,
    entity: spec.entity,
    pack,
    file,
    label: spec.label,
    sections: spec.sections.map((s) => ({ ...s, sort: s.sort ?? [], limit: s.limit ?? DEFAULT_RELATED_LIMIT, totals: s.totals ?? [] })),
  };
}

function compileLayout(pack: string, file: string, spec: LayoutFile): LayoutDef {
  return {
    id: spec.id,
    entity: spec.entity,
    pack,
    file,
    highlights: spec.highlights ?? [],
    actions: spec.actions ?? [],
    tabs: spec.tabs.map((tab) => ({
      name: tab.name,
      label: tab.label,
      sections: (tab.sections ?? []).map((s) => ({
        name: s.name,
        ...(s.label ? { label: s.label } : {}),
        columns: s.columns ?? 2,
        collapsed: s.collapsed ?? false,
        fields: s.fields,
      })),
      relatedLists: (tab.relatedLists ?? []).map((r) => ({ ...r, limit: r.limit ?? DEFAULT_RELATED_LIMIT })),
    })),
  };
}

function compileListView(pack: string, file: string, spec: ListViewFile): ListViewDef {
  return {
    id: spec.id,
    name: spec.name,
    entity: spec.entity,
    pack,
    file,
    label: spec.label,
    isDefault: spec.default ?? false,
    columns: spec.columns.map((c) => (typeof c === 'string' ? { field: c } : c)),
    sort: spec.sort ?? [],
    ...(spec.footer ? { footer: spec.footer } : {}),
    ...(spec.calendar ? { calendar: spec.calendar } : {}),
    ...(spec.myTasks ? { myTasks: spec.myTasks } : {}),
    ...(spec.filter !== undefined ? { filter: spec.filter } : {}),
    ...(spec.board ? { board: { groupBy: spec.board.groupBy, cardFields: spec.board.cardFields ?? [] } } : {}),
  };
}

function compileApp(pack: string, file: string, spec: AppFile): AppDef {
  const menu: MenuEntryDef[] = spec.menu.map((entry) => ('group' in entry ? { ...entry, items: entry.items as MenuItemDef[] } : entry));
  return {
    id: spec.id,
    name: spec.name,
    pack,
    file,
    label: spec.label,
    ...(spec.icon ? { icon: spec.icon } : {}),
    order: spec.order ?? 100,
    menu,
  };
}

function compileDashboard(pack: string, file: string, spec: DashboardFile): DashboardDef {
  return {
    id: spec.id,
    name: spec.name,
    pack,
    file,
    label: spec.label,
    isHome: spec.home ?? false,
    order: spec.order ?? 100,
    widgets: spec.widgets.map((w) => ({ ...w, width: w.width ?? defaultWidth(w.type) })),
  };
}

export function compileUi(packs: readonly ValidPack[]): UiModel {
  const each = <S, D>(key: keyof ValidPack['ui'], fn: (pack: string, file: string, spec: S) => D): D[] =>
    packs.flatMap((p) => p.ui[key].map((doc) => fn(p.manifest.name, doc.file, doc.spec as S)));
  return {
    layouts: each<LayoutFile, LayoutDef>('layouts', compileLayout),
    listViews: each<ListViewFile, ListViewDef>('listViews', compileListView),
    apps: each<AppFile, AppDef>('apps', compileApp).sort((a, b) => a.order - b.order || a.name.localeCompare(b.name)),
    overviews: each<OverviewFile, OverviewDef>('overviews', compileOverview),
    dashboards: each<DashboardFile, DashboardDef>('dashboards', compileDashboard).sort(
      (a, b) => a.order - b.order || a.name.localeCompare(b.name),
    ),
  };
}
