// The in-memory evaluator runs in browsers for live form feedback (#19): nothing it imports, however
// indirectly, may be a Node built-in. Follows the relative imports of evaluate-condition.ts.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { builtinModules } from 'node:module';
import { describe, expect, it } from 'vitest';

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
  it('imports no Node built-ins, directly or through its dependencies', () => {
    const { files, packages } = reachable(resolve(ROOT, 'engine/src/rules/evaluate-condition.ts'));
    expect(files.size).toBeGreaterThan(5);
    expect([...packages].filter((p) => NODE.has(p))).toEqual([]);
    expect([...packages].sort()).toEqual(['decimal.js', 'json-logic-js']);
  });
});
