import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ContractClient, ContractError, createMemoryTransportPair } from '../../../shared/contract/index.js';
import { Lab } from '../../../electron/engine/lab.js';
import { workflowWebhookProblems } from '../../../electron/engine/export/chaos-mesh-rules.js';
import { makeTempDir, removeDir } from '../../support/temp.js';
import { crdProblems } from '../../unit/chaos-mesh/crd-validator.js';

// `drill.exportChaosMesh` over the contract, as the drill page's *Export for Kubernetes* asks it of a real lab.

describe('drill.exportChaosMesh over the contract', () => {
  let dir = '';
  let lab: Lab;
  let client: ContractClient;
  const userDrills = process.env.FIREDRILL_USER_DRILLS_DIR;
  beforeAll(async () => {
    dir = await makeTempDir('fd-chaos-mesh-contract-');
    process.env.FIREDRILL_USER_DRILLS_DIR = join(dir, 'user-drills');
    lab = await Lab.create({ runDir: join(dir, 'run'), reportsDir: join(dir, 'reports'), autoStart: false });
    const [engineSide, uiSide] = createMemoryTransportPair();
    lab.host.connect(engineSide);
    client = new ContractClient(uiSide, { timeoutMs: 10_000 });
  });
  afterAll(async () => {
    client?.close();
    await lab?.dispose();
    if (userDrills === undefined) delete process.env.FIREDRILL_USER_DRILLS_DIR;
    else process.env.FIREDRILL_USER_DRILLS_DIR = userDrills;
    await removeDir(dir);
  });

  const refusal = async (params: Record<string, unknown>): Promise<ContractError> => {
    const error = await client.request('drill.exportChaosMesh', params as never).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ContractError);
    return error as ContractError;
  };

  it('returns the YAML, a file name and the gaps; the YAML is a valid Workflow', async () => {
    const out = await client.request('drill.exportChaosMesh', { id: 'corrupt-newest-checkpoint', namespace: 'lab', selectors: { p1: { app: 'kv', role: 'primary' } } });
    expect(out.fileName).toBe('corrupt-newest-checkpoint.chaos-mesh.yaml');
    expect(out.workflowName).toBe('firedrill-corrupt-newest-checkpoint');
    const docs = parseAllDocuments(out.yaml);
    if (!Array.isArray(docs)) throw new Error('no stream');
    const wf = docs[0]!.toJS() as Record<string, unknown>;
    expect(crdProblems('Workflow', wf)).toEqual([]);
    expect(workflowWebhookProblems(wf)).toEqual([]);
    expect(out.yaml).toContain('role: primary');
    expect(out.gaps.some((g) => g.step === null && g.text.startsWith('hypothesis'))).toBe(true);
    expect(out.gaps.some((g) => g.kind === 'approximate' && g.text.includes('IOChaos'))).toBe(true);
  });

  it('an unknown drill is not-found; bad options are invalid-params naming the field', async () => {
    expect(await refusal({ id: 'nope' })).toMatchObject({ code: 'not-found', field: 'id' });
    expect(await refusal({ id: 'warm-standby', namespace: 'Bad_NS' })).toMatchObject({ code: 'invalid-params', field: 'params.namespace' });
    expect(await refusal({ id: 'warm-standby', selectors: { p1: {} } })).toMatchObject({ code: 'invalid-params', field: 'params.selectors.p1' });
    expect(await refusal({ id: 'warm-standby', selectors: { p1: { 'a b': 'x' } } })).toMatchObject({ code: 'invalid-params', field: 'params.selectors.p1.a b' });
    const ghost = await refusal({ id: 'warm-standby', selectors: { a7: { app: 'x' } } });
    expect(ghost).toMatchObject({ code: 'invalid-params', field: 'params.selectors.a7' });
    expect(ghost.message).toMatch(/has no node "a7" \(its nodes: p1, s1; or balancer/);
    expect(await refusal({ id: 'warm-standby', httpPort: 0 })).toMatchObject({ code: 'invalid-params', field: 'params.httpPort' });
    expect(await refusal({ id: 'warm-standby', extra: true })).toMatchObject({ code: 'invalid-params' });
  });
});
