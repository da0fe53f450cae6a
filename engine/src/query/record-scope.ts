// How access control reaches into SQL: a condition per entity alias, with its values bound as parameters.
import type { EntityDef } from '../metadata/model.js';

/** Placeholder sink for bound parameters (the statement's SqlParams). */
export interface ParamSink {
  add(value: unknown, cast?: string): string;
}

/** SQL condition on `alias` limiting the rows of `entity`; undefined means every row. */
export type RecordScope = (entity: EntityDef, alias: string, params: ParamSink) => string | undefined;

export const UNRESTRICTED_SCOPE: RecordScope = () => undefined;
