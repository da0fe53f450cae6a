// The UI kinds of the Model: form layouts, list views, apps with their menus, record overviews and dashboards
// (metadata/schema/layout, list-view, app, overview and dashboard .schema.json). Pack files have these shapes once
// they pass the meta-schema; compile-ui.ts fills in the defaults, and check-ui.ts holds their references to the
// entities.
import type { Granularity } from './analytics.js';
import type { Label } from './label.js';

export type ActionPlacement = 'primary' | 'header' | 'more' | 'hidden';

export interface LayoutSectionDef {
  readonly name: string;
  readonly label?: Label;
  readonly columns: number;
  readonly collapsed: boolean;
  readonly fields: readonly string[];
}

export interface RelatedListDef {
  /** An inverse relation of the entity (hasMany or manyToMany), by name. */
  readonly relation: string;
  readonly label?: Label;
  /** Fields of the related entity; absent: its list view's columns. */
  readonly columns?: readonly string[];
  readonly limit: number;
}

export interface LayoutTabDef {
  readonly name: string;
  readonly label: Label;
  readonly sections: readonly LayoutSectionDef[];
  readonly relatedLists: readonly RelatedListDef[];
}

export interface LayoutDef {
  readonly id: string;
  readonly entity: string;
  readonly pack: string;
  /** Where the pack declared it; absent for a generated layout. */
  readonly file?: string;
  readonly highlights: readonly string[];
  readonly actions: readonly { readonly name: string; readonly placement: ActionPlacement }[];
  readonly tabs: readonly LayoutTabDef[];
}

export interface ListColumnDef {
  readonly field: string;
  readonly width?: number;
  readonly pinned?: boolean;
}

export interface ListFooterDef {
  readonly aggregate: 'count' | 'sum' | 'avg' | 'min' | 'max';
  /** A number field (all but count). */
  readonly field?: string;
}

export interface ListViewDef {
  readonly id: string;
  readonly name: string;
  readonly entity: string;
  readonly pack: string;
  readonly file?: string;
  readonly label: Label;
  readonly isDefault: boolean;
  readonly columns: readonly ListColumnDef[];
  /** As the list API's sort parameter: '-' first for descending. */
  readonly sort: readonly string[];
  readonly filter?: unknown;
  /** Totals under the list (the aggregate endpoint's measures over the current filter). */
  readonly footer?: readonly ListFooterDef[];
  /** Shown as a month calendar: each record on the day of `date`. */
  readonly calendar?: { readonly date: string; readonly title?: string };
  /** Its records the user owns (`owner`) are their tasks, dated by the first of `dates` they have. */
  /** `done`: the transition that completes a task. */
  readonly myTasks?: { readonly dates: readonly string[]; readonly owner: string; readonly done?: string };
  /** Shown as a board: a column per value of an enum field, cards showing `cardFields`. */
  readonly board?: { readonly groupBy: string; readonly cardFields: readonly string[] };
}

export type UiPage = 'home' | 'approvals' | 'notifications' | 'tasks';

export interface MenuItemDef {
  readonly name: string;
  readonly label?: Label;
  readonly icon?: string;
  readonly entity?: string;
  readonly view?: string;
  readonly page?: UiPage;
  /** Opens this dashboard. */
  readonly dashboard?: string;
}

export interface MenuGroupDef {
  readonly group: string;
  readonly label: Label;
  readonly items: readonly MenuItemDef[];
}

export type MenuEntryDef = MenuItemDef | MenuGroupDef;

export interface AppDef {
  readonly id: string;
  readonly name: string;
  readonly pack: string;
  readonly file: string;
  readonly label: Label;
  readonly icon?: string;
  readonly order: number;
  readonly menu: readonly MenuEntryDef[];
}

export interface OverviewSectionDef {
  readonly name: string;
  readonly label?: Label;
  readonly entity: string;
  /** belongsTo path from `entity` to the overview's record. */
  readonly via: string;
  readonly filter?: unknown;
  readonly columns: readonly string[];
  readonly sort: readonly string[];
  readonly limit: number;
  readonly totals: readonly string[];
}

/** One read of a record and the records about it (overview.schema.json). */
export interface OverviewDef {
  readonly id: string;
  readonly name: string;
  readonly entity: string;
  readonly pack: string;
  readonly file: string;
  readonly label: Label;
  readonly sections: readonly OverviewSectionDef[];
}

export type DateRangeName =
  'today' | 'this_week' | 'this_month' | 'this_quarter' | 'this_year' | 'last_7_days' | 'last_30_days' | 'last_12_months';

/** A widget's own query over one entity's cube, in a report's terms. */
export interface WidgetQueryDef {
  readonly entity: string;
  readonly measures: readonly string[];
  readonly dimensions?: readonly string[];
  readonly timeDimension?: { readonly dimension: string; readonly granularity?: Granularity; readonly dateRange?: DateRangeName };
  readonly segments?: readonly string[];
  /** A user field: only the signed-in user's records. */
  readonly mine?: string;
  readonly order?: readonly { readonly member: string; readonly descending?: boolean }[];
  readonly limit?: number;
}

export type ChartKind = 'line' | 'bar' | 'funnel' | 'pie';

export interface WidgetDef {
  readonly name: string;
  readonly label: Label;
  readonly type: 'number' | 'chart' | 'list';
  readonly chart?: ChartKind;
  /** Of four columns. */
  readonly width: number;
  readonly report?: string;
  readonly query?: WidgetQueryDef;
}

export interface DashboardDef {
  readonly id: string;
  readonly name: string;
  readonly pack: string;
  readonly file: string;
  readonly label: Label;
  readonly isHome: boolean;
  readonly order: number;
  readonly widgets: readonly WidgetDef[];
}

export interface UiModel {
  readonly layouts: readonly LayoutDef[];
  readonly listViews: readonly ListViewDef[];
  readonly apps: readonly AppDef[];
  readonly overviews: readonly OverviewDef[];
  readonly dashboards: readonly DashboardDef[];
}

export const isMenuGroup = (entry: MenuEntryDef): entry is MenuGroupDef => 'group' in entry;

/** The UI kinds' pack folders, each with its meta-schema; read-packs.ts and load-model.ts go through this list. */
export const UI_KINDS = [
  { key: 'layouts', folder: 'layouts', schema: 'layout.schema.json' },
  { key: 'listViews', folder: 'list-views', schema: 'list-view.schema.json' },
  { key: 'apps', folder: 'apps', schema: 'app.schema.json' },
  { key: 'overviews', folder: 'overviews', schema: 'overview.schema.json' },
  { key: 'dashboards', folder: 'dashboards', schema: 'dashboard.schema.json' },
] as const;

export type UiKindKey = (typeof UI_KINDS)[number]['key'];
