// The registry set of an engine without plugins, for tests that load, plan or apply packs directly.
import { createRegistries, freezeRegistries } from '../../engine/src/plugins/plugin-registries.js';
import type { KindsAndOperators } from '../../engine/src/rules/operator-registry.js';

function builtinRules(): KindsAndOperators {
  const registries = createRegistries();
  freezeRegistries(registries);
  return registries;
}

export const BUILTIN_RULES: KindsAndOperators = builtinRules();
