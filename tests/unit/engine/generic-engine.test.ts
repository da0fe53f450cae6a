// The engine is generic (ARCHITECTURE.md): nothing in engine/ may name an entity of an application pack. When a
// pack needs something metadata cannot say, the engine gets a generic capability, or the pack a plugin.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const APPLICATION_PACKS = readdirSync(join(ROOT, 'metadata', 'packs')).filter((p) => p !== 'core');

/**
 * Entity names that are also ordinary English words the engine uses in another sense; for these only a quoted
 * literal (a table or entity name in code) counts. Each says where the word occurs and why.
 */
const ALSO_A_WORD: Record<string, string> = {
  activity: "a pool's activityField: when a record last saw activity",
  address: "a server's or a client's network address",
  contract: "the API's contract (openapi-contract.ts): what a client may rely on",
  member: "a role's members, a JSON object's members",
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function entityNames(pack: string): string[] {
  const dir = join(ROOT, 'metadata', 'packs', pack, 'entities');
  return readdirSync(dir).map((f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { name: string }).name);
}

describe('the engine names no application entity', () => {
  const files = sourceFiles(join(ROOT, 'engine/src')).map((path) => ({ path, text: readFileSync(path, 'utf8') }));

  it('has application packs to check', () => {
    expect(APPLICATION_PACKS).toContain('crm');
  });

  for (const pack of APPLICATION_PACKS) {
    it(`of the ${pack} pack`, () => {
      const found: string[] = [];
      for (const name of entityNames(pack)) {
        const pattern = Object.hasOwn(ALSO_A_WORD, name) ? new RegExp(`['"\`]${name}['"\`]`) : new RegExp(`\\b${name}\\b`, 'i');
        for (const file of files) if (pattern.test(file.text)) found.push(`${name} in ${file.path.slice(ROOT.length + 1)}`);
      }
      expect(found).toEqual([]);
    });
  }
});
