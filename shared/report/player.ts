// The report's offline player: the drill's recording embedded in report.html (gzip + base64, the
// events the player reads) and a small script (renderer/report-player, bundled at build time) that
// plays it from file:// with no network. Pure: the engine gzips, this module only assembles.
import type { Recording } from '../replay/recording.js';
import { escapeHtml } from './format.js';
import { PLAYER_SCRIPT, PLAYER_SCRIPT_SHA256 } from './player-script.generated.js';

/** The events the player reads; the rest (10 Hz metrics, log batches, traffic) stays in recording.json.gz. */
export const PLAYER_EVENTS: ReadonlySet<string> = new Set(['node.changed', 'balancer.changed', 'timeline.event', 'incident.changed', 'fault.changed', 'fleet.changed']);

/** The most a report embeds (base64 characters, ~6 MiB): past it the page says so instead of growing without bound. */
export const MAX_EMBEDDED_CHARS = 6 * 1024 * 1024;

/** The recording as the player needs it: every keyframe, the entries it reads, no logs, no metrics. */
export function playerRecording(recording: Recording): Recording {
  return {
    ...recording,
    keyframes: recording.keyframes.map((keyframe) => ({ ...keyframe, carried: {} })),
    entries: recording.entries.filter((entry) => PLAYER_EVENTS.has(entry.event)),
    logs: [],
  };
}

/** What renderHtml is handed for the player: the gzipped player recording in base64, or why there is none. */
export type EmbeddedRecording = { base64: string } | { missing: string };

/** The CSP of a page that runs the player: still nothing fetched, and only this one script run. */
export function playerCsp(base: string): string {
  return `${base}; script-src 'sha256-${PLAYER_SCRIPT_SHA256}'`;
}

export function playerSection(embedded: EmbeddedRecording | undefined): string {
  const intro =
    '<p class="muted">The drill as the lab showed it, from its recording: play it at 1×, ¼× or 1⁄10×, or drag the bar to any instant. ' +
    "Each node's process and its place in the balancer, and the timeline up to that instant.</p>";
  if (!embedded || 'missing' in embedded) {
    const why = embedded && 'missing' in embedded ? embedded.missing : 'this run has no recording (it was written before recordings existed)';
    return `<section id="replay">\n<h2>Replay</h2>\n<p class="muted" data-testid="player-missing">No replay: ${escapeHtml(why)}.</p>\n</section>`;
  }
  if (embedded.base64.length > MAX_EMBEDDED_CHARS || !/^[A-Za-z0-9+/=]*$/.test(embedded.base64)) {
    return `<section id="replay">\n<h2>Replay</h2>\n<p class="muted" data-testid="player-missing">No replay here: the recording is too large to embed (${Math.round((embedded.base64.length * 3) / 4 / 1024)} KiB); it is beside this report as recording.json.gz, and the app replays it.</p>\n</section>`;
  }
  return [
    '<section id="replay">',
    '<h2>Replay</h2>',
    intro,
    '<div id="replay-player" class="player" data-state="loading"><p class="muted">The player runs when this report is opened in a browser with JavaScript (the app\'s own Replay plays the same recording).</p></div>',
    `<script type="application/octet-stream" id="firedrill-recording">${embedded.base64}</script>`,
    `<script>${PLAYER_SCRIPT}</script>`,
    '</section>',
  ].join('\n');
}

export const PLAYER_CSS = `
.player { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; background: var(--panel); }
.player-controls { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px; }
.player-controls button { font: inherit; padding: 3px 10px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); cursor: pointer; }
.player-controls button[aria-pressed="true"] { border-color: var(--fg); font-weight: 700; }
.player-speeds { display: inline-flex; gap: 4px; }
.player-jumps { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin-top: 8px; font-size: 13px; }
.player-jumps button { font: inherit; padding: 2px 8px; border: 1px solid var(--line); border-radius: 12px; background: var(--bg); color: var(--fg); cursor: pointer; }
.player-controls input[type="range"] { flex: 1 1 260px; min-width: 200px; }
.player-clock { margin: 6px 0; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; font-variant-numeric: tabular-nums; }
.player-nodes { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 8px; margin: 8px 0; }
.player-node { border: 1px solid var(--line); border-left-width: 5px; border-radius: 6px; padding: 4px 8px; background: var(--bg); font-size: 13px; }
.player-node.place-in-rotation { border-left-color: var(--pass); }
.player-node.place-standby { border-left-color: var(--pending); }
.player-node.place-ejected, .player-node.place-down { border-left-color: var(--fail); }
.player-node.process-exited .player-process, .player-node.process-crash-loop .player-process, .player-node.process-frozen .player-process { color: var(--fail); font-weight: 700; }
.player-node.process-starting .player-process, .player-node.process-backoff .player-process { color: var(--aborted); font-weight: 700; }
.player-place { color: var(--muted); }
.player-node.place-ejected .player-place, .player-node.place-down .player-place { color: var(--fail); }
ol.player-timeline { list-style: none; padding: 0; margin: 4px 0 0; font-size: 13px; min-height: 4em; }
ol.player-timeline li { border-top: 1px solid var(--line); padding: 2px 0; }
ol.player-timeline .at { font-family: ui-monospace, Menlo, Consolas, monospace; color: var(--muted); margin-right: 10px; font-variant-numeric: tabular-nums; }
@media print { #replay { display: none; } }
`;
