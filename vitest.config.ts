import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';
import react from '@vitejs/plugin-react';

export default defineConfig({
  // The runtime UI's component tests mount .vue files with a React island inside.
  plugins: [vue(), react()],
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/e2e/**/*.test.ts'],
    // Two files at once (below): a test whose first step starts Cube for a dashboard shares the cores with another
    // file's Chromium and PostgreSQL, so each gets twice the time it needs alone.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // expect.poll gives up after 1 s by default: under two files at once a pack action that writes four records
    // or a Cube query can take longer than that without anything being wrong.
    expect: { poll: { timeout: 10_000 } },
    pool: 'forks',
    // Most of a test's time is spent waiting on PostgreSQL, Chromium or Cube, not on its own process: two files at
    // once keep a 2-core machine busy (vitest would run one there, cores - 1), a pass in about 60% of the time.
    maxWorkers: 2,
    globalSetup: ['tests/support/embedded-cluster-setup.ts'],
  },
});
