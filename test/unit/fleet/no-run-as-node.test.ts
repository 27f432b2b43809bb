// The packaged app turns the RunAsNode fuse off (electron-builder.yml): no process of the lab may
// depend on Electron's run-as-Node environment variable, so none of the code may set or read it.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const self = fileURLToPath(import.meta.url);
// Spelled in pieces so this file does not name it itself.
const VARIABLE = ['ELECTRON', 'RUN', 'AS', 'NODE'].join('_');
const CODE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;

function codeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'out' ? [] : codeFiles(path);
    return CODE.test(entry.name) ? [path] : [];
  });
}

describe('no RunAsNode', () => {
  it(`no code of the app, its tests, benches or scripts names ${VARIABLE}`, () => {
    const files = ['electron', 'shared', 'renderer', 'scripts', 'bin', 'bench', 'test'].flatMap((dir) => codeFiles(join(root, dir)));
    expect(files.length).toBeGreaterThan(100);
    const naming = files.filter((file) => file !== self && readFileSync(file, 'utf8').includes(VARIABLE)).map((file) => relative(root, file));
    expect(naming).toEqual([]);
  });
});
