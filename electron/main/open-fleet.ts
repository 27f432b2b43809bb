import { app, dialog, type BrowserWindow, type MessageBoxOptions, type MessageBoxReturnValue } from 'electron';
import { basename, dirname } from 'node:path';
import type { FleetSpec } from '../../shared/contract/model.js';
import { describePrograms, fleetPrograms, printable } from '../engine/fleet-admission.js';
import { loadFleetFile } from '../engine/fleet/index.js';

/**
 * File > Open fleet file…: the desktop app's only way to a fleet that starts programs. A native
 * open dialog, then a native confirmation listing every program the file starts - both in the
 * main process, where no script of any page can answer them. Nothing here is on the contract.
 */
export interface OpenFleetOptions {
  /** Runs the confirmed fleet in place of the current one. */
  run(fleet: FleetSpec, file: string): Promise<void>;
}

let lastFolder: string | undefined;
let busy = false;

export async function openFleetFile(window: BrowserWindow | undefined, options: OpenFleetOptions): Promise<void> {
  if (busy) return;
  busy = true;
  try {
    // Since Electron 43 the dialog opens in Downloads unless told: start where the last fleet file was, or home.
    const dialogOptions = {
      title: 'Open fleet file',
      defaultPath: lastFolder ?? app.getPath('home'),
      properties: ['openFile' as const],
      filters: [
        { name: 'Fleet files', extensions: ['yaml', 'yml'] },
        { name: 'All files', extensions: ['*'] },
      ],
    };
    const chosen = window ? await dialog.showOpenDialog(window, dialogOptions) : await dialog.showOpenDialog(dialogOptions);
    const file = chosen.filePaths[0];
    if (chosen.canceled || file === undefined) return;
    lastFolder = dirname(file);

    let fleet: FleetSpec;
    try {
      fleet = loadFleetFile(file);
    } catch (error) {
      await message(window, { type: 'error', title: 'Not a fleet file', message: `Firedrill cannot run ${printable(basename(file))}`, detail: printable((error as Error).message), buttons: ['OK'] });
      return;
    }

    const programs = fleetPrograms(fleet);
    const name = printable(basename(file));
    const stops = 'The current lab stops first: its fleet, any traffic and any drill.';
    const confirm = await message(window, {
      type: programs.length > 0 ? 'warning' : 'question',
      title: 'Open fleet file',
      message: programs.length > 0 ? `Run the programs ${name} starts?` : `Run the fleet in ${name}?`,
      detail: programs.length > 0 ? `${describePrograms(file, programs).join('\n')}\n\n${stops}` : `It runs Firedrill's bundled server only (${fleet.nodes.length} node${fleet.nodes.length === 1 ? '' : 's'}).\n\n${stops}`,
      buttons: ['Cancel', programs.length > 0 ? 'Run these programs' : 'Run it'],
      defaultId: 0,
      cancelId: 0,
      noLink: true,
    });
    if (confirm.response !== 1) return;

    try {
      await options.run(fleet, file);
    } catch (error) {
      await message(window, { type: 'error', title: 'The fleet did not start', message: `Firedrill could not start ${name}`, detail: printable((error as Error).message), buttons: ['OK'] });
    }
  } finally {
    busy = false;
  }
}

function message(window: BrowserWindow | undefined, options: MessageBoxOptions): Promise<MessageBoxReturnValue> {
  return window ? dialog.showMessageBox(window, options) : dialog.showMessageBox(options);
}
