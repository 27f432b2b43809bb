import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadLibrary } from '../../../electron/engine/drills/library.js';
import { workflowWebhookProblems } from '../../../electron/engine/export/chaos-mesh-rules.js';
import { ChaosMeshExportError, exportChaosMesh } from '../../../electron/engine/export/chaos-mesh.js';
import { parseSelectors, SelectorSyntaxError } from '../../../shared/drill/chaos-mesh/selectors.js';
import { crdProblems } from './crd-validator.js';

// Whatever a person types into the export's options: a refusal that names the field, or a Workflow
// the CRDs and the webhook take. Never another kind of error, never a YAML that says something else.

const drills = loadLibrary({ builtin: join(import.meta.dirname, '../../../drills/library') }).drills.map((d) => d.spec);
// Mostly words a person would type, so that every outcome is reached; sometimes anything at all.
const weighted = <T,>(likely: fc.Arbitrary<T>, anything: fc.Arbitrary<T>): fc.Arbitrary<T> => fc.oneof({ arbitrary: likely, weight: 12 }, { arbitrary: anything, weight: 1 });
const word = weighted(fc.constantFrom('p1', 's1', 'c1', 'a1', 'a3', 'balancer', 'app', 'kv-0', 'app.kubernetes.io/name', 'x'), fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 8 })));
const selectorLine = fc.tuple(fc.option(word, { nil: undefined }), word, word).map(([node, key, value]) => `${node === undefined ? '' : `${node}:`}${key}=${value}`);
const options = fc.record(
  {
    namespace: weighted(fc.constantFrom('default', 'shop', 'a'.repeat(63)), fc.oneof(fc.constantFrom('a'.repeat(64), 'Bad_NS', ''), fc.string({ maxLength: 10 }))),
    container: weighted(fc.constantFrom('kv', 'app'), fc.oneof(fc.constant('Kv'), fc.string({ maxLength: 8 }))),
    httpPort: weighted(fc.integer({ min: 1, max: 65_535 }), fc.integer({ min: -5, max: 70_000 })),
    volumePath: weighted(fc.constantFrom('/data', '/var/lib/kv/', '/'), fc.oneof(fc.constantFrom('data', '/x y'), fc.string({ maxLength: 10 }))),
  },
  { requiredKeys: [] },
);

describe('chaos-mesh export options, fuzzed', () => {
  it('any selectors and options: a named refusal, or a valid Workflow', () => {
    const seen = { syntax: 0, refused: 0, exported: 0 };
    fc.assert(
      fc.property(fc.constantFrom(...drills), fc.array(selectorLine, { maxLength: 4 }), options, (drill, lines, opts) => {
        let selectors;
        try {
          selectors = parseSelectors(lines);
        } catch (error) {
          expect(error).toBeInstanceOf(SelectorSyntaxError);
          seen.syntax++;
          return;
        }
        let out;
        try {
          out = exportChaosMesh(drill, { ...opts, ...selectors });
        } catch (error) {
          expect(error).toBeInstanceOf(ChaosMeshExportError);
          expect((error as ChaosMeshExportError).field).toMatch(/^(namespace|container|httpPort|volumePath|selectors\..+|commonLabels\..+)$/);
          seen.refused++;
          return;
        }
        const docs = parseAllDocuments(out.yaml);
        if (!Array.isArray(docs) || docs.length !== 1) throw new Error('not one document');
        const wf = docs[0]!.toJS() as Record<string, unknown>;
        expect(crdProblems('Workflow', wf)).toEqual([]);
        expect(workflowWebhookProblems(wf)).toEqual([]);
        seen.exported++;
      }),
      { numRuns: 300, seed: 16 },
    );
    // Each outcome is reached often enough to mean something (measured with this seed: see the commit).
    console.log(`chaos-mesh options fuzz: ${JSON.stringify(seen)}`);
    for (const outcome of Object.values(seen)) expect(outcome).toBeGreaterThan(15);
  });
});
