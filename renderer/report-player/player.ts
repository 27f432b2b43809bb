// The report's offline player: the drill's recording, embedded in report.html (gzip + base64),
// played back in the page with the app's own replayer (shared/replay) and words (shared/words).
// Bundled at build time into shared/report/player-script.generated.ts (npm run build:player);
// it runs from file:// with no network, under a CSP that allows this one script by its hash.
import type { FaultRecord, Incident, NodeSnapshot, TimelineEvent, UpstreamSnapshot } from '../../shared/contract/model.js';
import type { Recording } from '../../shared/replay/recording.js';
import { ReplayCursor, type ReplayState } from '../../shared/replay/replay.js';
import { describeEvent, type EventContext } from '../../shared/words/describe-event.js';
import { afterIncident, formatAfter, formatClock, incidentSpans, type IncidentSpan } from '../../shared/words/format.js';

/** Playback speeds offered: real time, a quarter, a tenth. */
const SPEEDS: ReadonlyArray<{ label: string; factor: number }> = [
  { label: '1×', factor: 1 },
  { label: '¼×', factor: 0.25 },
  { label: '1⁄10×', factor: 0.1 },
];

/** Timeline sentences shown up to the instant, newest last. */
const SENTENCES_SHOWN = 14;

const PROCESS_WORDS: Record<string, string> = {
  stopped: 'stopped',
  starting: 'starting',
  ready: 'running',
  stopping: 'stopping',
  exited: 'exited',
  backoff: 'restarting',
  'crash-loop': 'crash loop',
};

const PLACE_WORDS: Record<string, string> = {
  'in-rotation': 'in rotation',
  ejected: 'ejected',
  down: 'out: process down',
  standby: 'standby',
};

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

async function decode(base64: string): Promise<Recording> {
  const bytes = Uint8Array.from(atob(base64.trim()), (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return JSON.parse(await new Response(stream).text()) as Recording;
}

/** The process as a person reads it: frozen while a pause fault holds it, whatever its last status said. */
function processWords(node: NodeSnapshot, faults: readonly FaultRecord[]): { key: string; words: string } {
  const frozen = faults.some((f) => f.target === node.id && f.type === 'pause' && f.status === 'active');
  if (frozen && node.status === 'ready') return { key: 'frozen', words: 'frozen (SIGSTOP)' };
  return { key: node.status, words: PROCESS_WORDS[node.status] ?? node.status };
}

function placeWords(upstream: UpstreamSnapshot | undefined): { key: string; words: string } {
  if (!upstream) return { key: 'not-routed', words: 'not routed' };
  return { key: upstream.state, words: PLACE_WORDS[upstream.state] ?? upstream.state };
}

class Player {
  private readonly cursor: ReplayCursor;
  private readonly from: number;
  private readonly to: number;
  private speed = 1;
  private playing = false;
  private lastFrame = 0;
  private shownSeq = -1;
  private readonly bar: HTMLInputElement;
  private readonly play: HTMLButtonElement;
  private readonly clock: HTMLElement;
  private readonly nodes: HTMLElement;
  private readonly sentences: HTMLOListElement;

  constructor(
    private readonly root: HTMLElement,
    recording: Recording,
  ) {
    this.from = recording.startedAt;
    this.to = Math.max(recording.endedAt, recording.startedAt);
    this.cursor = new ReplayCursor(recording, this.from);
    root.replaceChildren();
    const controls = el('div', { class: 'player-controls' });
    this.play = el('button', { type: 'button', 'data-testid': 'player-play', 'aria-label': 'Play' }, '▶ Play');
    this.play.addEventListener('click', () => this.toggle());
    const step = el('button', { type: 'button', 'data-testid': 'player-step', title: 'One timeline event on' }, 'Next event ›');
    step.addEventListener('click', () => {
      if (this.playing) this.pause();
      // One frame = one recorded entry; a reader steps by what the timeline says.
      if (this.cursor.next((entry) => entry.event === 'timeline.event' && entry.at >= this.from) === null) this.pause(true);
      this.render();
    });
    controls.append(this.play, step);
    const speeds = el('div', { class: 'player-speeds', role: 'group', 'aria-label': 'Speed' });
    for (const { label, factor } of SPEEDS) {
      const button = el('button', { type: 'button', 'data-testid': `player-speed-${factor}`, 'aria-pressed': String(factor === this.speed) }, label);
      button.addEventListener('click', () => this.setSpeed(factor));
      speeds.append(button);
    }
    controls.append(speeds);
    this.bar = el('input', { type: 'range', min: '0', max: String(Math.round(this.to - this.from)), step: '1', value: '0', 'data-testid': 'player-bar', 'aria-label': 'Instant of the drill' });
    this.bar.addEventListener('input', () => {
      if (!this.playing) this.pause();
      this.cursor.seek(this.from + Number(this.bar.value));
      this.render();
    });
    const marks = this.stageMarks(recording);
    if (marks) {
      this.bar.setAttribute('list', marks.id);
      controls.append(marks);
    }
    controls.append(this.bar);
    const jumps = this.jumps(recording);
    this.clock = el('div', { class: 'player-clock', 'data-testid': 'player-clock', 'aria-live': 'off' });
    this.nodes = el('div', { class: 'player-nodes', 'data-testid': 'player-nodes' });
    this.sentences = el('ol', { class: 'player-timeline', 'data-testid': 'player-timeline' });
    root.append(controls, ...(jumps ? [jumps] : []), this.clock, this.nodes, this.sentences);
    root.dataset.state = 'paused';
    this.render();
  }

  /** A button per fault injected in the run: from 1 s before it, at ¼×, the moment a drill is about. */
  private jumps(recording: Recording): HTMLElement | null {
    const faults = recording.entries.filter((e) => e.event === 'timeline.event' && (e.payload as { kind?: string }).kind === 'fault.injected' && e.at >= this.from);
    if (faults.length === 0) return null;
    const group = el('div', { class: 'player-jumps', role: 'group', 'aria-label': 'Replay a fault' });
    group.append(el('span', { class: 'muted' }, 'Replay from 1 s before:'));
    faults.slice(0, 8).forEach((entry, i) => {
      const event = entry.payload as TimelineEvent;
      const button = el('button', { type: 'button', 'data-testid': `player-jump-${i}` }, describeEvent(event));
      button.addEventListener('click', () => {
        this.setSpeed(0.25);
        this.cursor.seek(Math.max(this.from, entry.at - 1_000));
        this.render();
        if (!this.playing) this.toggle();
      });
      group.append(button);
    });
    return group;
  }

  /** Ticks on the bar where each incident's stages fell (injected, detected, failed over, recovered), as the run ended. */
  private stageMarks(recording: Recording): HTMLDataListElement | null {
    const last = new Map<string, Incident>();
    for (const entry of recording.entries) if (entry.event === 'incident.changed') last.set((entry.payload as Incident).id, entry.payload as Incident);
    const list = el('datalist', { id: 'player-stage-marks' });
    for (const incident of last.values()) {
      for (const [stage, at] of Object.entries(incident.stages)) {
        if (at === undefined || at < this.from || at > this.to) continue;
        list.append(el('option', { value: String(Math.round(at - this.from)), label: `${incident.nodeId} ${stage}` }));
      }
    }
    return list.children.length > 0 ? list : null;
  }

  private setSpeed(factor: number): void {
    this.speed = factor;
    for (const button of this.root.querySelectorAll('.player-speeds button')) button.setAttribute('aria-pressed', String(button.getAttribute('data-testid') === `player-speed-${factor}`));
  }

  private toggle(): void {
    if (this.playing) return this.pause();
    if (this.cursor.at >= this.to) this.cursor.seek(this.from);
    this.playing = true;
    this.lastFrame = performance.now();
    this.play.textContent = '❚❚ Pause';
    this.play.setAttribute('aria-label', 'Pause');
    this.root.dataset.state = 'playing';
    requestAnimationFrame((now) => this.frame(now));
  }

  private pause(ended = false): void {
    this.playing = false;
    this.play.textContent = ended ? '↺ Again' : '▶ Play';
    this.play.setAttribute('aria-label', ended ? 'Play again' : 'Play');
    this.root.dataset.state = ended ? 'ended' : 'paused';
  }

  private frame(now: number): void {
    if (!this.playing) return;
    // A hidden tab's frames stop: a long gap is not played through at once.
    const elapsed = Math.min(250, now - this.lastFrame);
    this.lastFrame = now;
    const at = Math.min(this.to, this.cursor.at + elapsed * this.speed);
    this.cursor.seek(at);
    this.render();
    if (at >= this.to) return this.pause(true);
    requestAnimationFrame((next) => this.frame(next));
  }

  private render(): void {
    const state = this.cursor.state;
    const offset = state.at - this.from;
    this.bar.value = String(Math.round(offset));
    const spans = incidentSpans(state.incidents);
    const after = afterIncident(state.at, spans);
    this.clock.textContent = `${formatClock(state.at, 'utc')} UTC · ${formatAfter(offset, 'the start')}${after ? ` · ${after}` : ''}`;
    this.root.dataset.at = String(Math.round(offset));
    if (state.seq === this.shownSeq) return;
    this.shownSeq = state.seq;
    this.renderNodes(state);
    this.renderSentences(state, spans);
  }

  private renderNodes(state: ReplayState): void {
    const upstreams = new Map(state.balancer.upstreams.map((u) => [u.id, u]));
    const cards = state.nodes.map((node) => {
      const process = processWords(node, state.faults);
      const place = placeWords(upstreams.get(node.id));
      const card = el('div', { class: `player-node process-${process.key} place-${place.key}`, 'data-testid': `player-node-${node.id}`, 'data-process': process.key, 'data-place': place.key, 'data-role': node.role });
      card.append(el('strong', {}, node.id), el('span', { class: 'muted' }, ` ${node.role}`), el('div', { class: 'player-process' }, process.words), el('div', { class: 'player-place' }, place.words));
      return card;
    });
    if (cards.length === 0) cards.push(el('p', { class: 'muted' }, 'No node yet: the fleet is starting.'));
    this.nodes.replaceChildren(...cards);
  }

  private renderSentences(state: ReplayState, spans: IncidentSpan[]): void {
    const context: EventContext = { faults: state.faults, health: state.balancer.settings.health.enabled ? state.balancer.settings.health : null, passive: state.balancer.settings.passive.enabled ? state.balancer.settings.passive : null };
    const since = state.timeline.filter((event) => event.at >= this.from).slice(-SENTENCES_SHOWN);
    const rows = since.map((event) => {
      const after = afterIncident(event.at, spans, event.nodeId);
      const row = el('li', { 'data-kind': event.kind, 'data-node': event.nodeId ?? '' });
      row.append(el('span', { class: 'at' }, formatClock(event.at, 'utc')), el('span', {}, describeEvent(event, context)));
      if (after) row.append(el('span', { class: 'muted' }, ` · ${after}`));
      return row;
    });
    if (rows.length === 0) rows.push(el('li', { class: 'muted' }, 'Nothing on the timeline yet.'));
    this.sentences.replaceChildren(...rows);
  }
}

async function start(): Promise<void> {
  const root = document.getElementById('replay-player');
  const data = document.getElementById('firedrill-recording');
  if (!root || !data) return;
  try {
    if (typeof DecompressionStream !== 'function') throw new Error('this browser cannot decompress the recording (no DecompressionStream)');
    new Player(root, await decode(data.textContent ?? ''));
  } catch (error) {
    root.dataset.state = 'unavailable';
    root.replaceChildren(el('p', { class: 'muted' }, `The recording could not be played: ${(error as Error).message}`));
  }
}

void start();
