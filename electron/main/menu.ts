import { Menu, type MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  /** File > Open fleet file…: a fleet of the user's own, chosen and confirmed in native dialogs. */
  openFleetFile(): void;
}

/** The standard menus, and the one action that only the person at the machine may take: opening a fleet file. */
export function installMenu(actions: MenuActions): void {
  const isMac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' } as const] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Open fleet file…', accelerator: 'CmdOrCtrl+O', click: () => actions.openFleetFile() },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
