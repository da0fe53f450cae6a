// An entity's analytics as its pack declares them (metadata/schema/analytics.schema.json): measures and segments its
// cube offers beyond the generated ones. Checked by bi/check-analytics.ts, turned into Cube members by bi/build-cube-files.ts.
import type { Label } from './label.js';

export type MeasureAggregate = 'count' | 'countDistinct' | 'sum' | 'avg' | 'min' | 'max';

export interface MeasureDef {
  readonly name: string;
  readonly label: Label;
  readonly description?: Label;
  readonly aggregate?: MeasureAggregate;
  readonly field?: string;
  readonly multiplyBy?: string;
  readonly divideBy?: number;
  /** JSON Logic over the record: only matching records count. */
  readonly filter?: unknown;
  readonly ratio?: { readonly numerator: string; readonly denominator: string };
  readonly format?: 'number' | 'percent' | 'currency';
}

export interface SegmentDef {
  readonly name: string;
  readonly label: Label;
  readonly filter: unknown;
}

export type Granularity = 'day' | 'week' | 'month' | 'quarter' | 'year';

/** A standard report over the entity's cube (served at /api/v1/reports/<name>). */
export interface ReportDef {
  readonly name: string;
  readonly label: Label;
  readonly description?: Label;
  /** Measures of the entity's cube. */
  readonly measures: readonly string[];
  /** Dimensions of the entity's cube, or `<entity>.<dimension>` of an entity it belongs to. */
  readonly dimensions?: readonly string[];
  readonly timeDimension?: { readonly dimension: string; readonly granularity: Granularity };
  readonly segments?: readonly string[];
  /** JSON Logic over the record: only matching records are reported. */
  readonly filter?: unknown;
  readonly order?: readonly { readonly member: string; readonly descending?: boolean }[];
  readonly limit?: number;
  readonly chart?: 'table' | 'bar' | 'line' | 'pie' | 'funnel';
  /** Keep the report's aggregate in a rollup table (built by the jobs system) and answer the report from it. */
  readonly preAggregate?: boolean;
  /** A dimension of the report naming a node of a tree (an entity related to itself): rows roll up to every ancestor. */
  readonly rollUp?: string;
}

export interface AnalyticsDef {
  readonly measures?: readonly MeasureDef[];
  readonly segments?: readonly SegmentDef[];
  readonly reports?: readonly ReportDef[];
}
