#!/usr/bin/env node
// `npx healthtrack ...`: the built CLI when `npm run build` made one (production images), else the
// TypeScript source through tsx, so development needs no build step.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = fileURLToPath(new URL('../dist/server/cli/main.js', import.meta.url));
if (existsSync(built)) {
  await import(built);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
