// The shapes of pack files once they have passed the meta-schema (metadata/schema/*.schema.json).
import type { Label } from './model.js';

export interface PackManifestSpec {
  name: string;
  version: string;
  label: Label;
  description?: Label;
  requires?: Record<string, string>;
  plugins?: string[];
}

export interface FieldFileSpec {
  id: string;
  name: string;
  kind: string;
  label: Label;
  description?: Label;
  required?: boolean;
  unique?: boolean;
  default?: unknown;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  min?: number | string;
  max?: number | string;
  precision?: number;
  scale?: number;
  currencies?: string[];
  values?: Array<{ value: string; label: Label; color?: string }>;
  target?: string;
  cardinality?: 'belongsTo' | 'manyToMany';
  onDelete?: 'restrict' | 'cascade' | 'setNull';
  inverse?: { name: string; label: Label };
}

export interface IndexFileSpec {
  id: string;
  name: string;
  fields: string[];
  unique?: boolean;
  where?: unknown;
}

export interface EntityFileSpec {
  id: string;
  name: string;
  label: Label;
  pluralLabel?: Label;
  description?: Label;
  titleField?: string;
  ownership?: { ownerField?: string; orgUnitField?: string };
  fields: FieldFileSpec[];
  indexes?: IndexFileSpec[];
}

/** A pack whose files all passed the meta-schema. */
export interface ValidPack {
  readonly dir: string;
  readonly file: string;
  readonly manifest: PackManifestSpec;
  readonly entities: ReadonlyArray<{ file: string; spec: EntityFileSpec }>;
}
