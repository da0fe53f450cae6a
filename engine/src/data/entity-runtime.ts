// Everything the data layer derives from the Model for one entity, built once when a Model is published.
import type { FieldKindRegistry } from '../metadata/field-kinds.js';
import type { EntityDef, Model } from '../metadata/model.js';
import { EngineError } from '../shared/engine-error.js';
import { MetadataError, type MetadataProblem } from '../metadata/metadata-problem.js';
import { kindOperators } from '../rules/kind-operators.js';
import type { OperatorRegistry } from '../rules/operator-registry.js';
import { buildRecordSchemas, type RecordSchemas } from '../forms/record-schemas.js';
import { createRecordCodec, type RecordCodec } from './record-codec.js';
import { createRecordValidator, type RecordValidator } from './record-validator.js';
import { deleteRulesOf, type DeleteRule } from './delete-rule-map.js';
import { compileRecordRules, type EntityRules } from '../record-rules/compile-record-rules.js';
import { numberedFieldsOf, type NumberedField } from './numbered-fields.js';

export interface EntityRuntime {
  readonly entity: EntityDef;
  readonly codec: RecordCodec;
  readonly schemas: RecordSchemas;
  readonly validator: RecordValidator;
  /** Columns of other entities (or this one) that reference its records, with their onDelete. */
  readonly referencedBy: readonly DeleteRule[];
  /** Derived fields, validation and field rules, and the records that follow this one's changes. */
  readonly rules: EntityRules;
  /** Fields the engine numbers on create (numbering rules). */
  readonly numbered: readonly NumberedField[];
}

export interface ModelRuntime {
  readonly model: Model;
  readonly kinds: FieldKindRegistry;
  /** Every operator of the condition language, plugins' included. */
  readonly operators: OperatorRegistry;
  /** Operators a field of this kind allows: the kind's own plus plugin operators declared for its operand. */
  operatorsFor(kind: string): readonly string[];
  entity(name: string): EntityRuntime;
  readonly entities: ReadonlyMap<string, EntityRuntime>;
}

/** Points at the field an ajv schema error names (`…/properties/<field>/…`), else at the entity. */
function unservable(entity: EntityDef, err: unknown): MetadataProblem {
  const message = err instanceof Error ? err.message : String(err);
  const named = /properties\/([a-z][a-z0-9_]*)/.exec(message)?.[1];
  const index = named === undefined ? -1 : entity.fields.findIndex((f) => f.name === named);
  return {
    file: entity.file, pointer: index >= 0 ? `/fields/${index}` : '', rule: 'runtime.unservable', pack: entity.pack, entity: entity.name,
    ...(index >= 0 ? { field: named } : {}),
    message: `this engine cannot serve the entity: ${message}`,
  };
}

const NO_RULES: EntityRules = {
  derived: new Set(), explained: [], selfInputs: new Set(), recomputeFrom: new Map(), parentLocks: [], dependents: [], validations: [], requiredWhen: [], readOnlyWhen: [], stateMachines: [], reminders: [], scheduledActions: [],
};

export function buildModelRuntime(model: Model, kinds: FieldKindRegistry, operators: OperatorRegistry): ModelRuntime {
  const allowed = kindOperators({ kinds, operators });
  const entities = new Map<string, EntityRuntime>();
  const rules = deleteRulesOf(model);
  const recordRules = compileRecordRules({ model, kinds, operators, operatorsFor: (kind) => allowed.get(kind) ?? [] });
  // Metadata that passed validation may still fail here (a kind or option the checks missed); say where,
  // for every entity at once, so a publish is refused before anything is committed.
  const problems: MetadataProblem[] = [...recordRules.problems];
  for (const entity of model.entities) {
    try {
      const schemas = buildRecordSchemas(entity, kinds);
      entities.set(entity.name, {
        entity, codec: createRecordCodec(entity, kinds), schemas, validator: createRecordValidator(schemas), referencedBy: rules.get(entity.name) ?? [],
        rules: recordRules.byEntity.get(entity.name) ?? NO_RULES,
        numbered: numberedFieldsOf(entity, model),
      });
    } catch (err) {
      problems.push(unservable(entity, err));
    }
  }
  if (problems.length) throw new MetadataError(problems);
  return {
    model,
    kinds,
    operators,
    entities,
    operatorsFor: (kind) => allowed.get(kind) ?? [],
    entity(name) {
      const found = entities.get(name);
      if (!found) throw new EngineError('entity.not_found', 404, `there is no entity '${name}'`);
      return found;
    },
  };
}
