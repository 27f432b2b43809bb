// File > Open fleet file…: the flow of native dialogs in the main process. Electron's dialog
// module is the one thing stood in for (no Electron binary here); the fleet files are real.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeTempDir, removeDir } from '../../support/temp.js';

const dialog = vi.hoisted(() => ({ showOpenDialog: vi.fn(), showMessageBox: vi.fn() }));
vi.mock('electron', () => ({ app: { getPath: () => '/home/someone' }, dialog }));

const { openFleetFile } = await import('../../../electron/main/open-fleet.js');

describe('File > Open fleet file…', () => {
  let dir: string;
  let withPrograms: string;
  let bundledOnly: string;
  let broken: string;
  const run = vi.fn(() => Promise.resolve());

  beforeAll(async () => {
    dir = await makeTempDir('fd-open-fleet-');
    withPrograms = join(dir, 'mine.yaml');
    await writeFile(withPrograms, 'nodes:\n  - id: k1\n  - id: web\n    kind: command\n    command: python3\n    args: ["-m", "http.server", "{port}"]\n');
    bundledOnly = join(dir, 'pair.yaml');
    await writeFile(bundledOnly, 'nodes:\n  - id: k1\n  - id: k2\n    role: standby\n');
    broken = join(dir, 'broken.yaml');
    await writeFile(broken, 'nodes:\n  - id: k1\n    role: leader\n');
  });
  afterAll(() => removeDir(dir));
  beforeEach(() => {
    dialog.showOpenDialog.mockReset();
    dialog.showMessageBox.mockReset();
    run.mockClear();
  });

  it('lists the programs in a native confirmation, and runs nothing unless it is confirmed', async () => {
    dialog.showOpenDialog.mockResolvedValue({ canceled: false, filePaths: [withPrograms] });
    dialog.showMessageBox.mockResolvedValue({ response: 0, checkboxChecked: false });
    await openFleetFile(undefined, { run });
    expect(run).not.toHaveBeenCalled();
    const [options] = dialog.showMessageBox.mock.calls[0] as [{ type: string; message: string; detail: string; buttons: string[]; defaultId: number; cancelId: number }];
    expect(options.type).toBe('warning');
    expect(options.message).toBe('Run the programs mine.yaml starts?');
    expect(options.detail).toContain('  web: python3 -m http.server {port}');
    expect(options.buttons).toEqual(['Cancel', 'Run these programs']);
    expect([options.defaultId, options.cancelId]).toEqual([0, 0]); // Enter or Escape is a no

    dialog.showMessageBox.mockResolvedValue({ response: 1, checkboxChecked: false });
    await openFleetFile(undefined, { run });
    expect(run).toHaveBeenCalledTimes(1);
    expect((run.mock.calls[0] as unknown as [{ nodes: Array<{ id: string; kind: string }> }])[0].nodes.map((n) => [n.id, n.kind])).toEqual([
      ['k1', 'bundled'],
      ['web', 'command'],
    ]);
  });

  it('opens where the last fleet file was (Electron 43+ would open Downloads), and a cancelled dialog does nothing', async () => {
    dialog.showOpenDialog.mockResolvedValue({ canceled: true, filePaths: [] });
    await openFleetFile(undefined, { run });
    expect((dialog.showOpenDialog.mock.calls[0] as [{ defaultPath: string }])[0].defaultPath).toBe(dir); // remembered from the test above
    expect(dialog.showMessageBox).not.toHaveBeenCalled();
    expect(run).not.toHaveBeenCalled();
  });

  it('asks too for a fleet of bundled nodes (the current lab stops), saying it runs no program', async () => {
    dialog.showOpenDialog.mockResolvedValue({ canceled: false, filePaths: [bundledOnly] });
    dialog.showMessageBox.mockResolvedValue({ response: 1, checkboxChecked: false });
    await openFleetFile(undefined, { run });
    const [options] = dialog.showMessageBox.mock.calls[0] as [{ type: string; detail: string }];
    expect(options.type).toBe('question');
    expect(options.detail).toContain("bundled server only (2 nodes)");
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('shows a file that does not load as its FILE:LINE:COL message, and runs nothing', async () => {
    dialog.showOpenDialog.mockResolvedValue({ canceled: false, filePaths: [broken] });
    dialog.showMessageBox.mockResolvedValue({ response: 0, checkboxChecked: false });
    await openFleetFile(undefined, { run });
    const [options] = dialog.showMessageBox.mock.calls[0] as [{ type: string; detail: string }];
    expect(options.type).toBe('error');
    expect(options.detail).toMatch(new RegExp(`^${broken.replaceAll('/', '\\/')}:3:\\d+: .*role`));
    expect(run).not.toHaveBeenCalled();
  });

  it('says so when the confirmed fleet does not start', async () => {
    dialog.showOpenDialog.mockResolvedValue({ canceled: false, filePaths: [bundledOnly] });
    dialog.showMessageBox.mockResolvedValueOnce({ response: 1, checkboxChecked: false }).mockResolvedValueOnce({ response: 0, checkboxChecked: false });
    const failing = vi.fn(() => Promise.reject(new Error('port 8080 is in use')));
    await openFleetFile(undefined, { run: failing });
    expect(failing).toHaveBeenCalledTimes(1);
    const [options] = dialog.showMessageBox.mock.calls[1] as [{ type: string; detail: string }];
    expect(options).toMatchObject({ type: 'error', detail: 'port 8080 is in use' });
  });
});
