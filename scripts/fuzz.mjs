// `npm run fuzz -- [--runs N] [--seed S] [vitest args]`: the fuzz suite (test/fuzz), longer than the
// slice `npm test` runs. The same seed replays the same cases.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  options: { runs: { type: 'string', default: '10000' }, seed: { type: 'string' } },
  allowPositionals: true,
  strict: false,
});
for (const [flag, value] of [['--runs', values.runs], ['--seed', values.seed]]) {
  if (value !== undefined && !/^[1-9][0-9]*$/.test(String(value))) {
    console.error(`${flag}: "${value}" is not a positive integer`);
    process.exit(2);
  }
}
// vitest exports no path to its CLI; its package.json (which it does export) names it as its bin.
const vitestPackage = createRequire(import.meta.url).resolve('vitest/package.json');
const vitest = join(dirname(vitestPackage), createRequire(import.meta.url)('vitest/package.json').bin.vitest);
const env = { ...process.env, FIREDRILL_FUZZ_RUNS: String(values.runs) };
if (values.seed !== undefined) env.FIREDRILL_FUZZ_SEED = String(values.seed);
const child = spawn(process.execPath, [vitest, 'run', 'test/fuzz', ...positionals], { cwd: root, stdio: 'inherit', env });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
