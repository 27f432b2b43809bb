// Proxies a Toxiproxy client creates for itself (POST /proxies, /populate): a FaultProxy each, on
// 127.0.0.1, to a 127.0.0.1 upstream. They are not the lab's nodes: their toxics are not lab faults
// (not on the timeline); POST /reset and the lab's HALT take them back all the same.
import { ContractError } from '../../../shared/contract/errors.js';
import { FaultProxy } from '../faults/network/index.js';
import { formatAddress, type Address } from './addresses.js';
import { ToxiproxyError, asToxiproxyError, toxicExists, toxicNotFound } from './errors.js';
import { checkAttributes, type ParsedToxic } from './toxic-body.js';
import type { ProxyInput, ToxicJson } from './toxiproxy-api.js';

/** Proxies one client may hold: each is a listening socket of this machine. */
export const MAX_CLIENT_PROXIES = 64;

export interface ClientProxy {
  readonly name: string;
  listen: Address;
  upstream: Address;
  upstreamText: string;
  enabled: boolean;
  proxy: FaultProxy;
}

export class ClientProxies {
  private readonly proxies = new Map<string, ClientProxy>();

  all(): ClientProxy[] {
    return [...this.proxies.values()];
  }

  get(name: string): ClientProxy | undefined {
    return this.proxies.get(name);
  }

  async create(input: ProxyInput): Promise<ClientProxy> {
    if (this.proxies.size >= MAX_CLIENT_PROXIES) throw new ToxiproxyError(409, `at most ${MAX_CLIENT_PROXIES} proxies of your own; delete one first`);
    const proxy = await this.open(input.name, input.listen, input.upstream);
    const entry: ClientProxy = { name: input.name, listen: { host: '127.0.0.1', port: proxy.port }, upstream: input.upstream, upstreamText: input.upstreamText, enabled: input.enabled, proxy };
    if (!input.enabled) proxy.cut('refuse');
    this.proxies.set(input.name, entry);
    return entry;
  }

  /** Populate: kept as it is when its listen and upstream are the same, else replaced by a fresh one. */
  async createOrReplace(input: ProxyInput): Promise<ClientProxy> {
    const existing = this.proxies.get(input.name);
    if (existing) {
      const sameListen = input.listen.port === 0 || input.listen.port === existing.listen.port;
      // Toxiproxy leaves an unchanged proxy as it is, toxics, enabled and all.
      if (sameListen && input.upstream.port === existing.upstream.port) return existing;
      await this.remove(existing);
    }
    return this.create(input);
  }

  async update(entry: ClientProxy, change: { listen?: Address | undefined; upstream?: Address | undefined; enabled?: boolean | undefined }): Promise<ClientProxy> {
    if (change.listen && change.listen.port !== 0 && change.listen.port !== entry.listen.port) {
      // A new listener first: if the port is taken, the proxy stays as it was.
      const moved = await this.open(entry.name, change.listen, change.upstream ?? entry.upstream);
      for (const toxic of entry.proxy.toxics()) moved.addToxic(toxic);
      await entry.proxy.close();
      entry.proxy = moved;
      entry.listen = { host: '127.0.0.1', port: moved.port };
      if (!entry.enabled) moved.cut('refuse');
    }
    if (change.upstream) {
      entry.upstream = change.upstream;
      entry.upstreamText = formatAddress(change.upstream);
      entry.proxy.setUpstreamPort(change.upstream.port);
    }
    if (change.enabled !== undefined) this.setEnabled(entry, change.enabled);
    return entry;
  }

  async remove(entry: ClientProxy): Promise<void> {
    this.proxies.delete(entry.name);
    await entry.proxy.close();
  }

  addToxic(entry: ClientProxy, toxic: ParsedToxic): ToxicJson {
    try {
      entry.proxy.addToxic(toxic);
    } catch (error) {
      if (error instanceof ContractError && error.code === 'conflict') throw toxicExists();
      throw asToxiproxyError(error);
    }
    return this.toxic(entry, toxic.name);
  }

  updateToxic(entry: ClientProxy, name: string, attributes: Record<string, unknown>, toxicity: number | undefined): ToxicJson {
    const current = entry.proxy.toxics().find((t) => t.name === name);
    if (!current) throw toxicNotFound();
    const merged = checkAttributes(current.type, { ...current.attributes, ...attributes });
    if (toxicity !== undefined && toxicity !== current.toxicity) {
      // The proxy keeps each connection's toxicity roll across updates: a new toxicity is a new toxic.
      entry.proxy.removeToxic(name);
      entry.proxy.addToxic({ ...current, toxicity, attributes: merged });
    } else {
      entry.proxy.updateToxic(name, merged);
    }
    return this.toxic(entry, name);
  }

  removeToxic(entry: ClientProxy, name: string): void {
    if (!entry.proxy.removeToxic(name)) throw toxicNotFound();
  }

  /** Every client proxy enabled, every toxic removed (what they held passes on). */
  reset(): void {
    for (const entry of this.proxies.values()) {
      for (const toxic of entry.proxy.toxics()) entry.proxy.removeToxic(toxic.name);
      this.setEnabled(entry, true);
    }
  }

  async close(): Promise<void> {
    const all = [...this.proxies.values()];
    this.proxies.clear();
    await Promise.all(all.map((entry) => entry.proxy.close()));
  }

  private toxic(entry: ClientProxy, name: string): ToxicJson {
    const found = entry.proxy.toxics().find((t) => t.name === name);
    if (!found) throw toxicNotFound();
    return found;
  }

  /** Disabled: the port stays bound and every connection is reset (Toxiproxy closes its listener). */
  private setEnabled(entry: ClientProxy, enabled: boolean): void {
    if (entry.enabled === enabled) return;
    entry.enabled = enabled;
    entry.proxy.cut(enabled ? null : 'refuse');
  }

  private async open(name: string, listen: Address, upstream: Address): Promise<FaultProxy> {
    const proxy = new FaultProxy({ name: `toxiproxy:${name}`, upstreamPort: upstream.port });
    try {
      await proxy.listen(listen.port);
    } catch (error) {
      await proxy.close();
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'EADDRINUSE' ? 'that port is in use' : code === 'EACCES' ? 'not allowed to listen on that port' : (error as Error).message;
      throw new ToxiproxyError(409, `listen ${formatAddress(listen)}: ${why}`);
    }
    return proxy;
  }
}
