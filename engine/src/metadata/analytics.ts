// An entity's analytics as its pack declares them (metadata/schema/analytics.schema.json): measures and segments its
// cube offers beyond the generated ones. Checked by bi/check-analytics.ts, turned into Cube members by bi/build-cube-files.ts.
import type { Label } from './model.js';

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

export interface AnalyticsDef {
  readonly measures?: readonly MeasureDef[];
  readonly segments?: readonly SegmentDef[];
}
