// The shapes of GET /api/meta as the UI reads them (engine/src/api/entity-meta.ts and ui-meta.ts build them).
export interface EnumValueMeta {
  value: string;
  label: string;
  color?: string;
}

export interface FieldMeta {
  name: string;
  kind: string;
  label: string;
  description: string | null;
  required: boolean;
  readOnly: boolean;
  operators: string[] | Record<string, string[]>;
  /** How conditions read the field (per part for money); absent for a many-to-many set. */
  operand?: string | Record<string, string>;
  target?: string;
  cardinality?: string;
  values?: EnumValueMeta[];
  computed?: unknown;
  rollup?: unknown;
  visibleWhen?: unknown;
  requiredWhen?: unknown;
  readOnlyWhen?: unknown;
  scoring?: { criteria: { id: string; label: string }[] };
  transitions?: { allowed: { name: string; label: string; from: string[]; to: string }[]; byState: Record<string, string[]> };
}

export interface SectionMeta {
  name: string;
  label: string | null;
  columns: number;
  collapsed: boolean;
  fields: string[];
}

export interface RelatedListMeta {
  relation: string;
  label: string;
  entity: string;
  field: string;
  columns: string[];
  limit: number;
}

export interface LayoutMeta {
  id: string;
  generated: boolean;
  highlights: string[];
  actions: { name: string; placement: 'primary' | 'header' | 'more' | 'hidden' }[];
  tabs: { name: string; label: string; sections: SectionMeta[]; relatedLists: RelatedListMeta[] }[];
}

/** A record overview (GET /api/v1/<entity>/<id>/overviews/<name>): a tab of the record page. */
export interface OverviewMeta {
  name: string;
  label: string;
  sections: { name: string; label: string; entity: string; columns: string[]; totals: string[] }[];
}

export interface ListViewMeta {
  name: string;
  label: string;
  isDefault: boolean;
  columns: { field: string; width?: number; pinned?: boolean }[];
  sort: string[];
  filter?: unknown;
  board?: { groupBy: string; cardFields: string[] };
  footer?: ListFooterMeta[];
  calendar?: { date: string; title?: string };
  /** `done`: the transition (of `field`) that completes a task. */
  myTasks?: { dates: string[]; owner: string; done?: { field: string; transition: string } };
}

export interface ListFooterMeta {
  aggregate: 'count' | 'sum' | 'avg' | 'min' | 'max';
  field?: string;
}

/** A validation rule: `condition` holds for a valid record; `fields` carry the message (none: the record). */
export interface ValidationRuleMeta {
  name: string;
  condition: unknown;
  message: string;
  fields: string[];
}

export interface EntityMeta {
  name: string;
  label: string;
  pluralLabel: string;
  titleField: string | null;
  permissions: string[];
  fields: FieldMeta[];
  actions: { name: string; label: string; input?: unknown }[];
  approvalFlows?: { name: string; label: string; steps: { name: string; label: string }[] }[];
  validationRules: ValidationRuleMeta[];
  jsonSchema: { read: JsonSchema; create: JsonSchema; update: JsonSchema };
  uiSchema: Record<string, unknown>;
  layout: LayoutMeta;
  listViews: ListViewMeta[];
  overviews?: OverviewMeta[];
}

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  [key: string]: unknown;
}

export interface MenuItemMeta {
  name: string;
  label: string | null;
  icon: string | null;
  entity?: string;
  view?: string | null;
  page?: 'home' | 'approvals' | 'notifications' | 'tasks';
  dashboard?: string;
}

export interface AppMeta {
  name: string;
  label: string;
  icon: string | null;
  menu: (MenuItemMeta | { group: string; label: string; items: MenuItemMeta[] })[];
}

export type DateRangeName =
  'today' | 'this_week' | 'this_month' | 'this_quarter' | 'this_year' | 'last_7_days' | 'last_30_days' | 'last_12_months';

/** A column of a widget's rows (engine/src/bi/report-plan.ts ReportColumn, with its title). */
export interface WidgetColumnMeta {
  name: string;
  member: string;
  kind: 'measure' | 'dimension' | 'time';
  path?: string;
  granularity?: 'day' | 'week' | 'month' | 'quarter' | 'year';
  dateOnly?: boolean;
  /** The dimension a report rolls up along: a row's value is a node, and its records are those of its subtree. */
  subtree?: boolean;
  title: string;
  format?: 'number' | 'percent' | 'currency';
  /** A sum or count: no value means none (0), not unknown. */
  additive?: boolean;
}

export interface CubeQueryMeta {
  measures: string[];
  dimensions: string[];
  timeDimensions: { dimension: string; granularity?: string; dateRange?: [string, string] }[];
  segments: string[];
  order: [string, 'asc' | 'desc'][];
  limit?: number;
  timezone?: string;
  filters?: { member: string; operator: 'equals'; values: string[] }[];
}

export interface WidgetMeta {
  name: string;
  label: string;
  type: 'number' | 'chart' | 'list';
  chart: 'line' | 'bar' | 'funnel' | 'pie' | 'table';
  width: number;
  entity: string;
  report?: string;
  query: CubeQueryMeta;
  columns: WidgetColumnMeta[];
  drillBase: unknown[];
  range?: { name: DateRangeName; member: string; path: string; dateOnly: boolean };
  mine?: { member: string; path: string };
}

export interface DashboardMeta {
  name: string;
  label: string;
  isHome: boolean;
  widgets: WidgetMeta[];
}

export interface Meta {
  version: number;
  locale: string;
  apps: AppMeta[];
  entities: EntityMeta[];
  dashboards?: DashboardMeta[];
}

/** A notification as GET /api/v1/me/notifications answers it. */
export interface NotificationItem {
  id: string;
  /** What raised it: reminder, approval... */
  kind?: string;
  title: string;
  body: string;
  entity: string | null;
  recordId: string | null;
  createdAt: string;
  readAt: string | null;
}
