// Toxiproxy's HTTP API as one more face of the lab (LabOptions.toxiproxy; `firedrill serve` always serves it).
import type { ContractHost } from '../../../shared/contract/index.js';
import { appVersion } from '../app-paths.js';
import type { Disposable } from '../disposables.js';
import type { FaultRegistry } from '../faults/index.js';
import type { PlaneClient } from '../data-plane/index.js';
import { ToxiproxyApi, startToxiproxyServer, type ToxiproxyServer } from '../toxiproxy/index.js';

export interface ToxiproxyFaceOptions {
  links: Pick<PlaneClient, 'links'>;
  faults: FaultRegistry;
  /** The lab's contract: Toxiproxy's toxics and partitions are injected and reverted through it, like the UI's. */
  host: () => ContractHost;
}

/** Toxiproxy's HTTP API as one more face of the lab, served on demand (off by default). */
export class ToxiproxyFace implements Disposable {
  private served: { api: ToxiproxyApi; server: ToxiproxyServer } | null = null;

  constructor(private readonly options: ToxiproxyFaceOptions) {}

  /** Its URL while served. */
  get url(): string | null {
    return this.served?.server.url ?? null;
  }

  get api(): ToxiproxyApi | undefined {
    return this.served?.api;
  }

  /** Serves it on 127.0.0.1 (once; port 0 = a free one; token: required as a bearer token). Resolves with its URL. */
  async serve(options: { port?: number; token?: string } = {}): Promise<string> {
    if (this.served) return this.served.server.url;
    const { links, faults, host } = this.options;
    const api = new ToxiproxyApi({
      links: () => links.links(),
      faults: async () => faults.list(),
      inject: (input) => host().request('fault.inject', input),
      revert: (id) => host().request('fault.revert', { id }),
    });
    const server = await startToxiproxyServer({ api, labVersion: appVersion(), ...options }).catch(async (error: unknown) => {
      await api.close();
      throw error;
    });
    this.served = { api, server };
    return server.url;
  }

  /** The server first (no new request comes in), then the API (its client proxies). */
  async dispose(): Promise<void> {
    await this.served?.server.close();
    await this.served?.api.close();
  }
}
