// A run's recording beside its report: written gzipped, read back whole, absent for older reports, named when damaged.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECORDING_FILE, ReportStore } from '../../../electron/engine/report-store/report-store.js';
import { makeReport } from '../../support/report-fixture.js';
import { SyntheticLab } from '../../support/synthetic-lab.js';
import { makeTempDir, removeDir } from '../../support/temp.js';

describe('ReportStore: the run recording sidecar', () => {
  let dir = '';
  let store: ReportStore;
  beforeAll(async () => {
    dir = await makeTempDir('fd-reports-');
    store = new ReportStore(dir);
  });
  afterAll(async () => {
    await removeDir(dir);
  });

  it('writes it gzipped beside report.json and reads it back as it was', async () => {
    const lab = new SyntheticLab(['a1', 'a2']);
    const capture = lab.recording.capture();
    lab.run(0.5);
    const recording = capture.end();
    const written = await store.write(makeReport({ id: 'with-recording' }), ['json'], recording);
    expect(written.problems).toEqual([]);
    const file = join(dir, 'with-recording', RECORDING_FILE);
    expect(JSON.parse(gunzipSync(readFileSync(file)).toString('utf8'))).toEqual(JSON.parse(JSON.stringify(recording)));
    expect(await store.recording('with-recording')).toEqual(JSON.parse(JSON.stringify(recording)));
    // report.json itself is unchanged by it.
    expect(JSON.parse(readFileSync(join(dir, 'with-recording', 'report.json'), 'utf8'))).not.toHaveProperty('recording');
  });

  it('a report without one opens as before, and its recording is null', async () => {
    await store.write(makeReport({ id: 'older' }), ['json']);
    expect(existsSync(join(dir, 'older', RECORDING_FILE))).toBe(false);
    expect(store.open('older').report.id).toBe('older');
    expect(await store.recording('older')).toBeNull();
  });

  it('a damaged one is an error naming the file and the field; the report still opens', async () => {
    await store.write(makeReport({ id: 'damaged' }), ['json']);
    const file = join(dir, 'damaged', RECORDING_FILE);
    writeFileSync(file, 'not gzip');
    await expect(store.recording('damaged')).rejects.toMatchObject({ code: 'invalid-params', message: expect.stringContaining(`${file}: not a readable recording`) });
    writeFileSync(file, gzipSync(JSON.stringify({ format: 'firedrill.recording/1', startedAt: 0, endedAt: 1, keyframes: [{ at: 0 }], entries: [], logs: [], dropped: { segments: 0, logBatches: 0 } })));
    await expect(store.recording('damaged')).rejects.toMatchObject({ code: 'invalid-params', message: expect.stringMatching(/keyframes\.0\.after: /) });
    expect(store.open('damaged').report.id).toBe('damaged');
  });
});
