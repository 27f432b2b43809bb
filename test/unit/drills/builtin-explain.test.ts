// Every prediction of every built-in drill (library and examples) explains every one of its
// options, so a learner who answers wrong learns why, in every drill the lab ships.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDrillFile } from '../../../electron/engine/drills/drill-file.js';

const root = join(import.meta.dirname, '../../../drills');
const files = ['library', 'examples'].flatMap((dir) =>
  readdirSync(join(root, dir))
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => join(dir, name)),
);

describe('built-in drills explain their predictions', () => {
  it('finds the built-in drills', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
  });

  it.each(files)('%s: every option of every prediction has an explanation', (file) => {
    const spec = loadDrillFile(join(root, file));
    for (const [index, step] of spec.steps.entries()) {
      if (!('predict' in step)) continue;
      const { options, explain, answer } = step.predict;
      expect(explain, `${file} step ${index}`).toHaveLength(options.length);
      for (const text of explain ?? []) expect(text.length, `${file} step ${index}`).toBeGreaterThan(40);
      // The expected option's explanation is the one that says so.
      if (answer !== undefined && !file.startsWith('examples')) expect(explain?.[answer], `${file} step ${index}`).toMatch(/^Right\./);
    }
  });
});
