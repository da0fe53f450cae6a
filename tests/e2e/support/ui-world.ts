// The world of the runtime UI's end-to-end tests: the UI built as `tessera serve` builds it, a real engine with the
// core and CRM packs serving it on a free 127.0.0.1 port, the CRM's small demo data (or the packs' named) written by their seeders, and
// Debian's Chromium. Screenshots go to tests/e2e/artefacts/ (git-ignored) for people to look at.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { ensureUiBuilt } from '../../../engine/src/cli/ensure-ui-build.js';
import { buildModelRuntime } from '../../../engine/src/data/entity-runtime.js';
import { seedPack } from '../../../engine/src/data/seed-pack.js';
import { reindexStale } from '../../../engine/src/search/search-index.js';
import { createLogger } from '../../../engine/src/shared/logger.js';
import { DEMO_PASSWORD } from '../../../plugins/crm-demo/sales-org.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';
import { launchBrowser, type Browser } from './browser.js';

export const ARTEFACTS = resolve(import.meta.dirname, '../artefacts');

export interface UiWorld {
  readonly t: TestEngine;
  readonly browser: Browser;
  readonly page: Page;
  shot(name: string): Promise<void>;
  signIn(username: string, password?: string): Promise<string>;
  stop(): Promise<void>;
}

export interface UiWorldOptions {
  readonly width?: number;
  readonly height?: number;
  readonly packs?: readonly string[];
  /** Packs whose small demo data is written, in this order (a pack's after those it hangs on); the CRM's by default. */
  readonly seed?: readonly string[];
  /** Settings the engine starts with (say, a small upload limit). */
  readonly env?: Readonly<Record<string, string>>;
}

export async function startUiWorld(options: UiWorldOptions = {}): Promise<UiWorld> {
  await ensureUiBuilt();
  const t = await startTestEngine({
    packs: options.packs ?? ['metadata/packs/core', 'metadata/packs/crm'],
    ...(options.env ? { env: options.env } : {}),
  });
  const { registries } = t.engine;
  const runtime = buildModelRuntime(t.engine.models.current().model, registries.kinds, registries.operators);
  for (const pack of options.seed ?? ['crm'])
    await seedPack(t.engine.db.pool, runtime, registries.seeders, { pack, size: 'small', log: createLogger('silent') });
  // As `tessera serve` does after seeding (by a job): the seeded records join the search index.
  for (const entity of runtime.model.entities) await reindexStale(t.engine.db.pool, entity);
  const browser = await launchBrowser(options);
  mkdirSync(ARTEFACTS, { recursive: true });
  const page = browser.page;
  return {
    t,
    browser,
    page,
    async shot(name) {
      await page.screenshot({ path: join(ARTEFACTS, `${name}.png`), fullPage: false });
    },
    /** Signs in through the sign-in page (a demo user unless a password is given), signing out whoever was in; returns the user's API token. */
    async signIn(username, password = DEMO_PASSWORD) {
      // Whoever was signed in before is signed out first (the sign-in page sends a signed-in user home), right before
      // leaving the page they were on, whose requests still under way are dropped with it.
      if (page.url().startsWith(t.url)) await page.evaluate('localStorage.removeItem("tessera.token")');
      await page.goto(`${t.url}/login`);
      await page.fill('input[name=username]', username);
      await page.fill('input[name=password]', password);
      await page.click('button[type=submit]');
      await page.waitForSelector('.tiles .tile');
      return String((await page.evaluate('localStorage.getItem("tessera.token")')) ?? '');
    },
    async stop() {
      await browser.close();
      await t.stop();
    },
  };
}
