// The in-memory evaluator runs in browsers for live form feedback (#19, the runtime UI's record form since #23):
// nothing it imports, however indirectly, may be a Node built-in. Follows the relative imports of what the form
// loads from engine/src: the evaluator, the operator registry with the builtins, and EngineError.
import { readFileSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { builtinModules } from 'node:module';
import { describe, expect, it } from 'vitest';
import { UI_ENGINE_SOURCES } from '../../../../engine/src/cli/ensure-ui-build.js';

const ROOT = resolve(import.meta.dirname, '../../../..');
const NODE = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  // Type-only imports vanish from the JavaScript the browser loads.
  return [...text.matchAll(/^import (?!type )[^;]*?from '([^']+)';/gms)].map((m) => m[1] ?? '');
}

function reachable(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of imports(file)) {
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.add(spec);
    }
  };
  visit(entry);
  return { files, packages };
}

describe('the in-memory evaluator', () => {
  it.each(['rules/evaluate-condition.ts', 'rules/operator-registry.ts', 'shared/engine-error.ts'])(
    '%s imports no Node built-ins, directly or through its dependencies',
    (entry) => {
      const { packages } = reachable(resolve(ROOT, 'engine/src', entry));
      expect([...packages].filter((p) => NODE.has(p))).toEqual([]);
      expect([...packages].every((p) => ['decimal.js', 'json-logic-js'].includes(p))).toBe(true);
    },
  );

  it("is rebuilt into the UI when it changes: every file the form loads is in the UI build's source hash", () => {
    const loaded = ['rules/evaluate-condition.ts', 'rules/operator-registry.ts', 'shared/engine-error.ts'].flatMap((entry) => [
      ...reachable(resolve(ROOT, 'engine/src', entry)).files,
    ]);
    const outside = loaded.filter((file) => !UI_ENGINE_SOURCES.some((dir) => file.startsWith(resolve(ROOT, dir) + sep)));
    // Type-only imports (field kinds) leave nothing in the bundle.
    expect(outside).toEqual([]);
  });

  it('follows the evaluator through to its two packages', () => {
    const { files, packages } = reachable(resolve(ROOT, 'engine/src/rules/evaluate-condition.ts'));
    expect(files.size).toBeGreaterThan(5);
    expect([...packages].sort()).toEqual(['decimal.js', 'json-logic-js']);
  });
});
