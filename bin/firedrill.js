#!/usr/bin/env node
// The CLI is built from TypeScript into out/; say so plainly when it has not been built yet.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../out/cli/index.js', import.meta.url));
if (!existsSync(entry)) {
  process.stderr.write('firedrill: not built yet; run `npm run build` in the Firedrill folder first\n');
  process.exit(2);
}
await import(entry);
