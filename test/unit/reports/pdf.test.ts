import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumCandidates, findChromium, writePdf } from '../../../electron/engine/report-store/pdf.js';
import { makeTempDir, removeDir } from '../../support/temp.js';

describe('finding Chromium for PDF export', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeTempDir('fd-pdf-unit-');
  });
  afterAll(() => removeDir(dir));

  it('looks at the usual places, in order, without FIREDRILL_CHROMIUM', () => {
    expect(chromiumCandidates({})).toEqual(['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']);
  });

  it('takes FIREDRILL_CHROMIUM as the only candidate, even when it does not exist', () => {
    const fake = join(dir, 'chrome');
    writeFileSync(fake, '');
    expect(findChromium({ FIREDRILL_CHROMIUM: fake })).toBe(fake);
    expect(findChromium({ FIREDRILL_CHROMIUM: join(dir, 'missing') })).toBeNull();
  });

  it('says in one line what to do when there is none', async () => {
    const missing = join(dir, 'no-such-chrome');
    const error = await writePdf('<p>x</p>', join(dir, 'out.pdf'), { FIREDRILL_CHROMIUM: missing }).then(
      () => new Error('writePdf should have failed'),
      (caught: unknown) => caught as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe(
      `no Chromium found for PDF export (looked at ${missing}); install chromium (apt-get install chromium) or set FIREDRILL_CHROMIUM, or use the desktop app, which prints with Electron`,
    );
    expect(error.message).not.toContain('\n');
  });
});
