import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { embedRecording } from '../../../electron/engine/report-store/report-store.js';
import { renderHtml } from '../../../shared/report/html.js';
import { REPORT_CSP } from '../../../shared/report/html-page.js';
import { PLAYER_EVENTS, playerRecording } from '../../../shared/report/player.js';
import { PLAYER_SCRIPT, PLAYER_SCRIPT_SHA256 } from '../../../shared/report/player-script.generated.js';
import type { Recording } from '../../../shared/replay/recording.js';
import { makeReport } from '../../support/report-fixture.js';
import { SyntheticLab } from '../../support/synthetic-lab.js';
// @ts-expect-error -- a plain .mjs build script, without types
import { GENERATED, playerModule } from '../../../scripts/build-report-player.mjs';

function syntheticRecording(seconds = 2): Recording {
  const lab = new SyntheticLab(['a1', 'a2', 'a3']);
  const capture = lab.recording.capture();
  lab.run(seconds);
  return capture.end();
}

describe('the report player: the script', () => {
  it('is the bundle of renderer/report-player as it is now (npm run build:player)', async () => {
    const fresh = await (playerModule as () => Promise<string>)();
    // A boolean, not the two 25 KB strings: the message says what to do.
    expect(readFileSync(GENERATED as string, 'utf8') === fresh, 'shared/report/player-script.generated.ts is stale: run npm run build:player').toBe(true);
  });

  it('is allowed by its hash, and cannot close its own <script>', () => {
    expect(createHash('sha256').update(PLAYER_SCRIPT, 'utf8').digest('base64')).toBe(PLAYER_SCRIPT_SHA256);
    expect(PLAYER_SCRIPT).not.toMatch(/<\/script|<!--/i);
    // Small: the replayer and the words, minified.
    expect(PLAYER_SCRIPT.length).toBeLessThan(60_000);
  });
});

describe('the report player: the HTML', () => {
  const report = makeReport();

  it('embeds the recording (the events it plays, gzipped, base64) and the script its CSP allows, and nothing else runs', async () => {
    const recording = syntheticRecording();
    const embedded = await embedRecording(recording);
    const html = renderHtml(report, { recording: embedded });
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}; script-src 'sha256-${PLAYER_SCRIPT_SHA256}'">`);
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((m) => m[1])).toEqual([' type="application/octet-stream" id="firedrill-recording"', '']);
    expect(scripts[1]![2]).toBe(PLAYER_SCRIPT);
    const carried = JSON.parse(gunzipSync(Buffer.from(scripts[0]![2]!, 'base64')).toString('utf8')) as Recording;
    expect(carried).toEqual(JSON.parse(JSON.stringify(playerRecording(recording))));
    expect(carried.keyframes.length).toBe(recording.keyframes.length);
    expect(carried.entries.length).toBeGreaterThan(0);
    expect(carried.entries.every((e) => PLAYER_EVENTS.has(e.event))).toBe(true);
    expect(recording.entries.some((e) => e.event === 'metrics.tick')).toBe(true);
    expect(html).toContain('<div id="replay-player" class="player" data-state="loading">');
    expect(html.indexOf('id="replay"')).toBeGreaterThan(html.indexOf('id="incidents"'));
  });

  it('stays valid without a recording: a sentence instead of the player, and no script', () => {
    const missing = renderHtml(report, { recording: { missing: 'this run has no recording' } });
    expect(missing).toContain('<p class="muted" data-testid="player-missing">No replay: this run has no recording.</p>');
    expect(missing).not.toMatch(/<script/i);
    expect(missing).toContain(`content="${REPORT_CSP}">`);
    const none = renderHtml(report);
    expect(none).not.toContain('id="replay"');
  });

  it('embeds no recording past its bound, and says so', () => {
    const html = renderHtml(report, { recording: { base64: 'A'.repeat(7 * 1024 * 1024) } });
    expect(html).toMatch(/No replay here: the recording is too large to embed \(5376 KiB\)/);
    expect(html).not.toContain('id="firedrill-recording"');
  });

  it('a typical drill adds tens of KiB (measured on a 3-node synthetic lab)', async () => {
    const tenSeconds = await embedRecording(syntheticRecording(10));
    const size = 'base64' in tenSeconds ? tenSeconds.base64.length : 0;
    console.log(`player recording, 3 nodes, 10 s synthetic: ${(size / 1024).toFixed(1)} KiB base64; script ${(PLAYER_SCRIPT.length / 1024).toFixed(1)} KiB`);
    expect(size).toBeGreaterThan(100);
    expect(size).toBeLessThan(512 * 1024);
  });
});
