// Classroom mode through a real `firedrill serve --classroom`: the viewers' link has its own port and
// token, every viewer is read-only over REST and the WebSocket alike, 40 may watch and the 41st is
// refused, votes on a prediction are tallied into the run and its report, and --classroom-host is
// only another interface of this machine, confirmed.
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  ContractClient,
  ContractError,
  commands,
  fromWebSocket,
  VIEWER_COMMANDS,
  type ClassroomLink,
  type ClassroomStatus,
  type WebSocketLike,
} from '../../../shared/contract/index.js';
import type { DrillRunStatus } from '../../../shared/drill/run.js';
import { runCli, startServe, stopProcess, type RunningLab } from '../../support/cli.js';
import { makeTempDir, removeDir } from '../../support/temp.js';
import { sleep } from '../../../shared/sleep.js';

const DRILL = {
  id: 'classroom-vote',
  title: 'Classroom vote',
  concept: 'active-active',
  summary: 'A prediction the class votes on.',
  topology: { kind: 'active-active', nodes: 2 },
  traffic: { rate: 20 },
  steps: [{ say: 'Two nodes share the load.' }, { predict: { question: 'How many requests fail?', options: ['none', 'a few', 'a third'], answer: 0 } }, { wait: 200 }],
};

const refusedCommands = Object.keys(commands).filter((name) => !VIEWER_COMMANDS.has(name));

type Lab = RunningLab & { classroom: ClassroomLink };

async function post(port: number, token: string, name: string, body: unknown = {}): Promise<{ status: number; body: { error?: { code: string; message: string } } & Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}/api/commands/${name}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
}

/** A WebSocket client of the contract; resolves once open, or rejects with the HTTP status the upgrade was refused with. */
function connect(port: number, token: string): Promise<{ client: ContractClient; socket: WebSocket }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/api/events`, { headers: { authorization: `Bearer ${token}` } });
    socket.once('open', () => resolve({ client: new ContractClient(fromWebSocket(socket as unknown as WebSocketLike), { timeoutMs: 10_000 }), socket }));
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.once('end', () => reject(Object.assign(new Error(body), { status: res.statusCode })));
    });
    socket.once('error', reject);
  });
}

async function until<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, withinMs = 30_000): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${withinMs} ms (last: ${JSON.stringify(value).slice(0, 300)})`);
    await sleep(100);
  }
}

describe('firedrill serve --classroom', () => {
  let lab: Lab;
  let runDir = '';
  const sockets: WebSocket[] = [];

  beforeAll(async () => {
    runDir = await makeTempDir('fd-classroom-');
    lab = (await startServe(['--classroom', '--no-start', '--run-dir', runDir, '--reports-dir', `${runDir}/reports`])) as Lab;
  }, 30_000);
  afterAll(async () => {
    for (const socket of sockets) socket.terminate();
    if (lab) await stopProcess(lab.child, 'SIGTERM');
    await removeDir(runDir);
  });

  it('prints the viewers\' link: its own port and token, on loopback', () => {
    expect(lab.classroom).toMatchObject({ address: '127.0.0.1', url: `http://127.0.0.1:${lab.classroom.port}/?token=${lab.classroom.token}` });
    expect(lab.classroom.port).not.toBe(lab.port);
    expect(lab.classroom.token).not.toBe(lab.token);
  });

  it('the viewer token works on the viewer port only, and the teacher\'s not there', async () => {
    const state = (port: number, token: string) => fetch(`http://127.0.0.1:${port}/api/state`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    expect(await state(lab.classroom.port, lab.classroom.token)).toBe(200);
    expect(await state(lab.port, lab.classroom.token)).toBe(401);
    expect(await state(lab.classroom.port, lab.token)).toBe(401);
    expect(await state(lab.port, lab.token)).toBe(200);
    // The teacher's Prometheus endpoint is not on the classroom's face.
    expect((await fetch(`http://127.0.0.1:${lab.classroom.port}/metrics`, { headers: { authorization: `Bearer ${lab.classroom.token}` } })).status).toBe(404);
  });

  it('refuses a viewer every command outside the allow-list, over REST, and the lab stays as it was', async () => {
    expect(refusedCommands).toEqual(expect.arrayContaining(['fleet.start', 'fault.inject', 'fault.halt', 'traffic.start', 'drill.run', 'drill.answer', 'classroom.stop', 'balancer.set']));
    // The REST route names commands in lower case (drill.exportChaosMesh is the WebSocket's only).
    for (const name of refusedCommands.filter((n) => /^[a-z]+\.[a-z-]+$/.test(n))) {
      const answer = await post(lab.classroom.port, lab.classroom.token, name, name === 'fault.inject' ? { type: 'kill', target: 'p1' } : {});
      expect([name, answer.status, answer.body.error?.code]).toEqual([name, 403, 'forbidden']);
      expect(answer.body.error?.message).toContain('read-only');
    }
    const status = await post(lab.classroom.port, lab.classroom.token, 'classroom.status');
    expect(status.body).toMatchObject({ role: 'viewer', on: true, link: null });
    const state = await post(lab.port, lab.token, 'lab.state');
    expect(state.body).toMatchObject({ fleet: { status: 'stopped' }, faults: [] });
  });

  it('refuses a viewer the same over the WebSocket, and serves it what it may read', async () => {
    const { client, socket } = await connect(lab.classroom.port, lab.classroom.token);
    sockets.push(socket);
    for (const name of refusedCommands) {
      const error = await (client.request as (n: string, p: unknown) => Promise<unknown>)(name, {}).then(() => null, (e: unknown) => e);
      expect(error, name).toBeInstanceOf(ContractError);
      expect([name, (error as ContractError).code]).toEqual([name, 'forbidden']);
    }
    await expect(client.request('lab.state', {})).resolves.toMatchObject({ fleet: { status: 'stopped' } });
    await expect(client.request('classroom.status', {})).resolves.toMatchObject({ role: 'viewer', link: null });
  });

  it('lets 40 viewers watch at once and refuses the 41st with 429', async () => {
    while (sockets.length < 40) sockets.push((await connect(lab.classroom.port, lab.classroom.token)).socket);
    const status = (await post(lab.port, lab.token, 'classroom.status')).body as unknown as ClassroomStatus;
    expect(status).toMatchObject({ role: 'operator', on: true, viewers: 40, maxViewers: 40 });
    const refused = await connect(lab.classroom.port, lab.classroom.token).then(() => null, (e: Error & { status?: number }) => e);
    expect(refused?.status).toBe(429);
    expect(refused?.message).toContain('at most 40 viewers');
    // The teacher's own face is not counted against the class.
    const teacher = await connect(lab.port, lab.token);
    teacher.socket.terminate();
    // One leaves, one more may come in.
    sockets.pop()?.close();
    await until('a seat free', () => post(lab.port, lab.token, 'classroom.status').then((r) => (r.body as unknown as ClassroomStatus).viewers), (n) => n === 39, 5_000);
    sockets.push((await connect(lab.classroom.port, lab.classroom.token)).socket);
    while (sockets.length > 0) sockets.pop()?.terminate();
  });

  it('tallies the viewers\' votes into the prediction (one per viewer, a new one replaces it) and the report prints it', async () => {
    const viewers = await Promise.all([0, 1, 2].map(() => connect(lab.classroom.port, lab.classroom.token)));
    sockets.push(...viewers.map((v) => v.socket));
    const steps: DrillRunStatus[] = [];
    viewers[0]!.client.on('drill.step', (status) => steps.push(status));
    const started = await post(lab.port, lab.token, 'drill.run', { spec: DRILL, profile: 'short', formats: ['md'] });
    expect(started.status).toBe(200);
    const runId = (started.body as unknown as DrillRunStatus).runId;
    const waiting = await until('the prediction', () => post(lab.port, lab.token, 'drill.status').then((r) => (r.body as { run: DrillRunStatus }).run), (run) => run.waitingFor?.kind === 'predict', 60_000);
    const step = waiting.waitingFor!.step;
    // The viewers saw the run's steps live.
    expect(steps.some((s) => s.waitingFor?.kind === 'predict')).toBe(true);
    // A viewer may vote, not answer for the teacher.
    await expect(viewers[0]!.client.request('drill.answer', { runId, step, option: 0 })).rejects.toMatchObject({ code: 'forbidden' });
    await viewers[0]!.client.request('drill.vote', { runId, step, option: 2 });
    await viewers[1]!.client.request('drill.vote', { runId, step, option: 2 });
    await viewers[2]!.client.request('drill.vote', { runId, step, option: 1 });
    await viewers[2]!.client.request('drill.vote', { runId, step, option: 1 }); // the same vote again counts once
    await viewers[1]!.client.request('drill.vote', { runId, step, option: 0 }); // changed its mind
    await expect(viewers[0]!.client.request('drill.vote', { runId, step, option: 3 })).rejects.toMatchObject({ code: 'invalid-params' });
    await expect(viewers[0]!.client.request('drill.vote', { runId, step: step + 1, option: 0 })).rejects.toMatchObject({ code: 'conflict' });
    const tallied = (await post(lab.port, lab.token, 'drill.status')).body as { run: DrillRunStatus };
    expect(tallied.run.predictions.find((p) => p.step === step)?.tally).toEqual([1, 1, 1]);
    expect(steps.at(-1)?.predictions.find((p) => p.step === step)?.tally).toEqual([1, 1, 1]);
    expect((await post(lab.port, lab.token, 'drill.answer', { runId, step, option: 0 })).status).toBe(200);
    // Voting ends with the teacher's answer.
    await expect(viewers[0]!.client.request('drill.vote', { runId, step, option: 0 })).rejects.toMatchObject({ code: 'conflict' });
    const done = await until('the verdict', () => post(lab.port, lab.token, 'drill.status').then((r) => (r.body as { run: DrillRunStatus }).run), (run) => run.state === 'finished' && run.reportId !== null, 60_000);
    const opened = (await post(lab.classroom.port, lab.classroom.token, 'report.open', { id: done.reportId })).body as { report: { predictions: Array<{ tally?: number[] }> }; files: Record<string, string> };
    expect(opened.report.predictions[0]?.tally).toEqual([1, 1, 1]);
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(opened.files.md!, 'utf8')).toContain('class: none 1, a few 1, a third 1');
    expect(await readFile(opened.files.html!, 'utf8')).toContain('class votes');
    for (const v of viewers) v.socket.terminate();
  }, 120_000);

  it('the teacher\'s switch stops the classroom (its viewers cut off) and starts it again on loopback, with a new link', async () => {
    const viewer = await connect(lab.classroom.port, lab.classroom.token);
    const closed = new Promise<void>((resolve) => viewer.socket.once('close', () => resolve()));
    const stopped = (await post(lab.port, lab.token, 'classroom.stop')).body as unknown as ClassroomStatus;
    expect(stopped).toMatchObject({ on: false, link: null, viewers: 0 });
    await closed;
    expect(await fetch(`http://127.0.0.1:${lab.classroom.port}/api/state`, { headers: { authorization: `Bearer ${lab.classroom.token}` } }).then(() => 'answered', () => 'refused')).toBe('refused');
    const started = (await post(lab.port, lab.token, 'classroom.start')).body as unknown as ClassroomStatus;
    expect(started).toMatchObject({ on: true, link: { address: '127.0.0.1' } });
    expect(started.link!.token).not.toBe(lab.classroom.token);
    expect((await fetch(`http://127.0.0.1:${started.link!.port}/api/state`, { headers: { authorization: `Bearer ${started.link!.token}` } })).status).toBe(200);
  });
});

describe('firedrill serve --classroom-host', () => {
  const external = Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .find((info) => !info.internal && info.family === 'IPv4')?.address;

  it('exits 2 for an address that is not one of this machine\'s interfaces', async () => {
    const result = await runCli(['serve', '--classroom', '--classroom-host', '203.0.113.77', '--yes']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--classroom-host 203.0.113.77: not an address of this machine's interfaces");
  });

  it('exits 2 without --classroom, and for another interface without --yes', async () => {
    const alone = await runCli(['serve', '--classroom-host', '127.0.0.1']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('only with --classroom');
    if (!external) return; // a machine with loopback only has no other interface to name
    const unconfirmed = await runCli(['serve', '--classroom', '--classroom-host', external]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('confirm with --yes');
  });

  it.skipIf(!external)('binds another interface when named and confirmed, and answers only to that Host', async () => {
    const runDir = await makeTempDir('fd-classroom-host-');
    const lab = (await startServe(['--classroom', '--classroom-host', external!, '--yes', '--no-start', '--run-dir', runDir])) as Lab;
    try {
      expect(lab.classroom).toMatchObject({ address: external, url: `http://${external}:${lab.classroom.port}/?token=${lab.classroom.token}` });
      const res = await fetch(`http://${external}:${lab.classroom.port}/api/state`, { headers: { authorization: `Bearer ${lab.classroom.token}` } });
      expect(res.status).toBe(200);
      // Not on loopback: the teacher chose the interface.
      expect(await fetch(`http://127.0.0.1:${lab.classroom.port}/api/state`).then(() => 'answered', () => 'refused')).toBe('refused');
    } finally {
      await stopProcess(lab.child, 'SIGTERM');
      await removeDir(runDir);
    }
  }, 30_000);
});
