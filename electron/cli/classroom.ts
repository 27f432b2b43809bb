// Classroom mode's listener: a second web host on its own port and token whose every client is a read-only viewer.
import { randomBytes } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import type { ClassroomControl, ClassroomLink, ContractHost } from '../../shared/contract/index.js';
import { UsageError } from './args.js';
import { startWebHost, type WebHost } from './web-host.js';

export const LOOPBACK = '127.0.0.1';

/** Every address of this machine's interfaces (what `--classroom-host` may name). */
export function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((info) => info.address));
}

/**
 * `--classroom-host ADDR`, checked: loopback as is; another address only when it is one of this machine's
 * interfaces and the teacher confirmed with --yes (the lab is then readable by anyone on that network who has the link).
 */
export function classroomAddress(address: string | undefined, confirmed: boolean, addresses: string[] = interfaceAddresses()): string {
  if (address === undefined || address === LOOPBACK || address === 'localhost') return LOOPBACK;
  if (!addresses.includes(address)) {
    throw new UsageError(`--classroom-host ${address}: not an address of this machine's interfaces (${addresses.join(', ') || 'none'})`);
  }
  if (!confirmed) {
    throw new UsageError(`--classroom-host ${address}: viewers on that network could watch this lab with the link; confirm with --yes`);
  }
  return address;
}

export interface ClassroomServerOptions {
  host: ContractHost;
  staticDir: string | undefined;
}

/** Starts and stops the viewers' web host; given to the lab as its classroom capability. */
export class ClassroomServer implements ClassroomControl {
  private web: WebHost | null = null;
  private starting: Promise<WebHost> | null = null;

  constructor(private readonly options: ClassroomServerOptions) {}

  /** From the app: loopback only, on a free port (another interface is serve's --classroom-host, with --yes). */
  async start(): Promise<ClassroomLink> {
    return await this.listen(LOOPBACK, 0);
  }

  /** Listens on `address` (already checked by classroomAddress) and `port`; the one running, if any, is kept. */
  async listen(address: string, port: number): Promise<ClassroomLink> {
    if (!this.web) {
      this.starting ??= startWebHost({ host: this.options.host, port, address, token: randomBytes(24).toString('base64url'), role: 'viewer', staticDir: this.options.staticDir });
      try {
        this.web = await this.starting;
      } finally {
        this.starting = null;
      }
    }
    return this.link() as ClassroomLink;
  }

  async stop(): Promise<void> {
    const web = this.web;
    this.web = null;
    await web?.close();
  }

  link(): ClassroomLink | null {
    const web = this.web;
    return web ? { url: web.url, port: web.port, token: web.token, address: web.address } : null;
  }

  viewers(): number {
    return this.web?.clientBacklogs().length ?? 0;
  }
}
