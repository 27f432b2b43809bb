import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadLibrary } from '../../../electron/engine/drills/library';

// The drill library reads the operator's folder on every drill.list: a hostile file there must be
// listed as a problem quickly, never hold the list, and nothing unchanged is parsed twice.

const root = mkdtempSync(join(tmpdir(), 'firedrill-library-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const builtin = join(import.meta.dirname, '../../../drills/library');

const drill = (id: string, say = 'hi'): string =>
  ['id: ' + id, 'title: T', 'concept: retries', 'summary: s', 'topology: { kind: active-active }', 'steps:', `  - say: ${say}`].join('\n') + '\n';

function folder(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  return dir;
}

describe('the drill library', () => {
  it('lists a 390 KB many-key file and a 10 MB file as problems, fast, beside the valid drills', () => {
    const user = folder('hostile');
    writeFileSync(join(user, 'mine.yaml'), drill('mine'));
    const keys = Array.from({ length: 30_000 }, (_, i) => `k${i}: ${i}`).join('\n');
    writeFileSync(join(user, 'many-keys.yaml'), `${drill('many')}${keys}\n`);
    writeFileSync(join(user, 'huge.yaml'), Buffer.alloc(10 * 1024 * 1024, 'k: v\n'));
    const started = performance.now();
    const library = loadLibrary({ builtin, user });
    const elapsed = performance.now() - started;
    expect(library.drills.map((d) => d.spec.id)).toContain('mine');
    expect(library.drills.filter((d) => d.summary.source === 'builtin').length).toBeGreaterThanOrEqual(12);
    expect(library.problems).toEqual([
      expect.stringMatching(/huge\.yaml:1:1: \(file\): 10\.0 MiB is too large for a drill file/),
      expect.stringMatching(/many-keys\.yaml:1:1: \(file\): 3\d\d KiB is too large for a drill file/),
    ]);
    // Every built-in drill parsed cold, plus the refusals: well under a second on a quiet machine.
    expect(elapsed).toBeLessThan(3_000);
  });

  it('a file just under the size limit with thousands of mistakes: one line for it, in well under a second', () => {
    const user = folder('many-mistakes');
    const keys = Array.from({ length: 20_000 }, (_, i) => `k${i}: ${i}`).join('\n');
    writeFileSync(join(user, 'many-keys.yaml'), `${drill('many')}${keys}\n`);
    const started = performance.now();
    const library = loadLibrary({ builtin: join(root, 'none'), user });
    // Measured 0.4–1.3 s with the machine's load average at 9 on 2 cores; before the fix: 5.6 s.
    expect(performance.now() - started).toBeLessThan(2_500);
    expect(library.problems).toEqual([expect.stringMatching(/many-keys\.yaml:8:1: k0: Unrecognized key: "k0" \(and 19,999 more mistakes: run firedrill validate on it\)$/)]);
  });

  it('parses an unchanged file once, and again when its size or time changes', () => {
    const user = folder('cache');
    const path = join(user, 'mine.yaml');
    writeFileSync(path, drill('mine'));
    const first = loadLibrary({ builtin: join(root, 'none'), user });
    const again = loadLibrary({ builtin: join(root, 'none'), user });
    expect(again.drills[0]?.spec).toBe(first.drills[0]?.spec);

    writeFileSync(path, drill('mine', 'hello there'));
    const resized = loadLibrary({ builtin: join(root, 'none'), user });
    expect(resized.drills[0]?.spec).not.toBe(first.drills[0]?.spec);
    expect(resized.drills[0]?.spec.steps[0]).toEqual({ say: 'hello there' });

    writeFileSync(path, drill('mine', 'hello THERE'));
    utimesSync(path, new Date(2_000_000_000_000), new Date(2_000_000_000_000));
    const touched = loadLibrary({ builtin: join(root, 'none'), user });
    expect(touched.drills[0]?.spec.steps[0]).toEqual({ say: 'hello THERE' });

    rmSync(path);
    expect(loadLibrary({ builtin: join(root, 'none'), user }).drills).toEqual([]);
  });

  it('a FIFO named like a drill does not block the list', () => {
    const user = folder('fifo');
    if (spawnSync('mkfifo', [join(user, 'pipe.yaml')]).status !== 0) return;
    writeFileSync(join(user, 'mine.yaml'), drill('mine'));
    const started = performance.now();
    const library = loadLibrary({ builtin: join(root, 'none'), user });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(library.drills.map((d) => d.spec.id)).toEqual(['mine']);
    expect(library.problems).toEqual([expect.stringMatching(/pipe\.yaml: not a regular file/)]);
  });
});
