// The Model's public forms compiled once per Model: each form's `when` as SQL over the stored row `t` (its belongsTo
// chain included, like transition guards) and its validity in milliseconds. Called before a Model is served and by
// `tessera validate`; workflow/public-links.ts reads the result.
import type { MetadataProblem } from '../metadata/metadata-problem.js';
import type { Model } from '../metadata/model.js';
import { durationMs } from '../metadata/approval-flow.js';
import type { PublicFormDef } from '../metadata/public-form.js';
import { compileConditionSql } from '../rules/compile-condition-sql.js';
import { kindOperators } from '../rules/kind-operators.js';
import type { KindsAndOperators } from '../rules/operator-registry.js';
import { catching, type RuleEnv } from '../record-rules/derived-fields.js';
import { ruleScope } from '../record-rules/rule-scope.js';

export interface CompiledPublicForm {
  readonly entity: string;
  readonly def: PublicFormDef;
  /** TRUE while the form may be used, over the stored row `t`; absent: always. */
  readonly when?: string;
  readonly validMs: number;
}

export interface PublicForms {
  /** By entity, then form name. */
  readonly byEntity: ReadonlyMap<string, ReadonlyMap<string, CompiledPublicForm>>;
  readonly problems: readonly MetadataProblem[];
}

export function compilePublicForms(model: Model, rules: KindsAndOperators): PublicForms {
  const allowed = kindOperators(rules);
  const env: RuleEnv = { model, kinds: rules.kinds, operators: rules.operators, operatorsFor: (kind) => allowed.get(kind) ?? [] };
  const problems: MetadataProblem[] = [];
  const byEntity = new Map<string, Map<string, CompiledPublicForm>>();
  for (const entity of model.entities) {
    if (!entity.publicForms?.length) continue;
    const forms = new Map<string, CompiledPublicForm>();
    entity.publicForms.forEach((def, i) => {
      const report = (p: { pointer: string; rule: string; message: string }) =>
        problems.push({ file: entity.file, pack: entity.pack, entity: entity.name, ...p });
      const scope = ruleScope({ ...env, entity, allowCollections: true });
      const when =
        def.when === undefined
          ? undefined
          : catching(`/publicForms/${i}/when`, report, () =>
              compileConditionSql(def.when, scope.context, env.operators, { allowVolatile: true }),
            );
      forms.set(def.name, { entity: entity.name, def, ...(when !== undefined ? { when } : {}), validMs: durationMs(def.validFor) ?? 0 });
    });
    byEntity.set(entity.name, forms);
  }
  return { byEntity, problems };
}
