// The command contract over HTTP, fuzzed against one real lab: every command with params built from
// its schema, broken in one place, or garbage; raw requests (any method, path, header and body); big
// bodies. Never a 5xx or an `internal` error, never a crash or a stack trace, and afterwards the lab is
// as it was. Commands whose valid forms change the lab drastically are fuzzed with invalid params only,
// and a handful of their valid forms is run on purpose at the end.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands, type CommandName, type FaultRecord } from '../../shared/contract/index.js';
import type { DrillRunStatus } from '../../shared/drill/run.js';
import { badJson, bigJson, hostileString, hostileValue, invalidParams, safeParams } from './contract-arbitraries.js';
import { baselineOf, differencesFrom, readyState, restoreSettings, serverFault, startFuzzLab, type FuzzLab, type LabBaseline } from './contract-fuzz-lab.js';
import { fuzzParameters, fuzzTimeoutMs } from './fuzz-settings.js';
import { sleep } from '../../shared/sleep.js';

const NAMES = Object.keys(commands) as CommandName[];
/** Valid forms of these read the lab, or change settings that are put back at the end. */
const SAFE = new Set<CommandName>([
  'lab.state',
  'node.logs',
  'balancer.set',
  'traffic.stop',
  'traffic.set',
  'fault.revert',
  'fault.halt',
  'fault.list',
  'ledger.check',
  'drill.list',
  'drill.get',
  'drill.exportChaosMesh',
  'drill.abort',
  'drill.answer',
  'drill.status',
  'report.list',
  'report.open',
  'report.compare',
  'report.export',
]);

describe('fuzz: the contract over HTTP', () => {
  let f: FuzzLab;
  let baseline: LabBaseline;
  beforeAll(async () => {
    f = await startFuzzLab();
    baseline = await baselineOf(f);
  }, 60_000);
  afterAll(() => f?.close(), 30_000);

  it(
    'every command, with schema-shaped, broken and garbage params: never a 5xx or internal',
    async () => {
      const input = fc.constantFrom(...NAMES).chain((name) => fc.tuple(fc.constant(name), SAFE.has(name) ? safeParams(name) : invalidParams(name)));
      await fc.assert(
        fc.asyncProperty(input, async ([name, params]) => {
          const reply = await f.command(name, params);
          const fault = serverFault(reply);
          if (fault !== null) throw new Error(`${name}: ${fault}`);
          // The drastic commands only ever see params their schema refuses: none may get through.
          if (!SAFE.has(name) && reply.status < 400) throw new Error(`${name} accepted params it should refuse: ${reply.body.slice(0, 200)}`);
        }),
        fuzzParameters(1),
      );
    },
    fuzzTimeoutMs(60, 1),
  );

  it(
    'raw requests (any method, path, headers and body): never a 5xx',
    async () => {
      const method = fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND');
      const path = fc.oneof(
        fc.constantFrom('/', '/index.html', '/api/state', '/metrics', '/api/events', '/api/', '/api/commands/', '/api/commands/lab.state', '/api/commands/lab.state/', '/%00', '/%ff', '/..%2f..%2fetc%2fpasswd', '/api/state?token=x', '/?token=', '//api/state'),
        // Targets that are not a path: absolute forms (one that is not a URL at all), and the asterisk form.
        fc.constantFrom('http://[', 'http://127.0.0.1:99999/api/state', 'http://evil.example/api/state', 'http://127.0.0.1//evil.example/', '*'),
        fc.constantFrom(...NAMES).map((name) => `/api/commands/${name}`),
        fc.string({ unit: 'grapheme-ascii', maxLength: 40 }).map((s) => `/api/commands/${encodeURIComponent(s)}`),
        fc.string({ unit: 'binary', maxLength: 40 }).map((s) => `/${encodeURIComponent(s)}`),
      );
      const body = fc.oneof(badJson, hostileValue.map((v) => JSON.stringify(v) ?? ''), fc.constant(undefined));
      const contentType = fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '', 'application/json; charset=latin1');
      const credential = fc.constantFrom('bearer', 'none', 'wrong', 'query');
      await fc.assert(
        fc.asyncProperty(method, path, body, contentType, credential, async (m, p, b, type, cred) => {
          const headers: Record<string, string> = type === '' ? {} : { 'content-type': type };
          if (cred === 'none') headers.authorization = '';
          if (cred === 'wrong') headers.authorization = 'Bearer wrong';
          const target = cred === 'query' ? `${p}${p.includes('?') ? '&' : '?'}token=${f.web.token}` : p;
          // A command accepted here would be a valid call of a drastic command: only SAFE ones may answer 200.
          const name = /^\/api\/commands\/([a-z]+\.[a-z-]+)$/.exec(p)?.[1] as CommandName | undefined;
          if (m === 'POST' && name !== undefined && !SAFE.has(name) && commands[name]?.params.safeParse(paramsOf(b)).success) return;
          const reply = await f.http(m, target, m === 'GET' || m === 'HEAD' ? undefined : b, cred === 'none' ? { ...headers, authorization: 'Basic x' } : headers);
          const fault = serverFault(reply, m);
          if (fault !== null) throw new Error(`${m} ${p.slice(0, 80)}: ${fault}`);
        }),
        fuzzParameters(0.5),
      );
    },
    fuzzTimeoutMs(30, 0.5),
  );

  it(
    'big bodies (1 MB strings, deep nesting, many keys) to every command: a 4xx naming the field',
    async () => {
      const field = fc.oneof(fc.constantFrom('id', 'fleet', 'spec', 'attributes', 'limit'), hostileString);
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...NAMES), field, bigJson, async (name, key, value) => {
          const reply = await f.http('POST', `/api/commands/${name}`, `{${JSON.stringify(key)}:${value}}`, { 'content-type': 'application/json' });
          const fault = serverFault(reply);
          if (fault !== null) throw new Error(`${name} {${key}: big}: ${fault}`);
          if (reply.status !== 400 && reply.status !== 413) throw new Error(`${name} {${key}: big}: ${reply.status} ${reply.body.slice(0, 200)}`);
        }),
        fuzzParameters(0.02),
      );
    },
    fuzzTimeoutMs(200, 0.02),
  );

  it('a handful of the drastic commands, valid, on purpose; then the lab is as it was', async () => {
    await restoreSettings(f, baseline);
    const ok = async (name: CommandName, params: unknown): Promise<unknown> => {
      const reply = await f.command(name, params);
      expect(serverFault(reply), `${name} ${JSON.stringify(params)}`).toBeNull();
      expect(reply.status, `${name}: ${reply.body.slice(0, 300)}`).toBe(200);
      return JSON.parse(reply.body) as unknown;
    };
    const latency = (await ok('fault.inject', { type: 'latency', target: 'p1', attributes: { latency: 5 }, durationMs: 60_000 })) as FaultRecord;
    await ok('fault.inject', { type: 'pause', target: 's1', durationMs: 60_000 });
    await ok('fault.revert', { id: latency.id });
    await ok('fault.halt', {});
    await ok('traffic.start', { rate: 50, durationMs: 400, readShare: 0.5 });
    await ok('node.restart', { id: 's1' });
    await ok('node.stop', { id: 's1' });
    await ok('node.start', { id: 's1' });
    await ok('fleet.stop', {});
    // A command node (here with a health path the HTTP client cannot send, once an internal error) never comes over the contract.
    const badHealth = await f.command('fleet.start', { fleet: { nodes: [{ id: 'a1', kind: 'command', command: process.execPath, healthPath: '/\u0000 x' }] } });
    expect(serverFault(badHealth)).toBeNull();
    expect(JSON.parse(badHealth.body)).toMatchObject({ error: { code: 'invalid-params', field: 'params.fleet.nodes.0.kind' } });
    await ok('fleet.start', {});
    await ok('topology.set', { kind: 'hot-standby' });
    await readyState(f, 20_000);
    const spec = { id: 'fuzz-tail', title: 'After the fuzz', concept: 'hot-standby', summary: 'A drill of two steps.', topology: { kind: 'hot-standby' }, steps: [{ say: 'Still here.' }, { wait: 200 }] };
    await ok('drill.run', { spec, auto: true, profile: 'short', formats: ['json'] });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { run } = (await ok('drill.status', {})) as { run: DrillRunStatus | null };
      if (run?.verdict) break;
      if (Date.now() > deadline) throw new Error(`the drill did not end: ${JSON.stringify(run)}`);
      await sleep(100);
    }
    await restoreSettings(f, baseline);
    expect(await differencesFrom(f, baseline)).toEqual([]);
    expect(f.crashes()).toEqual([]);
    expect(f.stackTraces()).toEqual([]);
  }, 120_000);
});

/** The params the host reads from a body: none (or blank, or null) is {}. */
function paramsOf(body: string | undefined): unknown {
  if (body === undefined || body.trim() === '') return {};
  try {
    return JSON.parse(body) ?? {};
  } catch {
    return undefined;
  }
}
