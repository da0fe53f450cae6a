#!/usr/bin/env node
// Runs the TypeScript CLI directly (tsx), so `npx tessera` and `npm start` need no build step.
import { register } from 'tsx/esm/api';

register();
await import('../engine/src/cli/main.ts');
