// Toxiproxy's proxies and toxics over the lab: the lab's own fault proxies (`p1`, `p1-replication`),
// whose toxics and partitions are the lab's faults, and proxies a client creates for itself.
// One request at a time, so two clients never race on a name. See README.md here.
import type { z } from 'zod';
import { ToxicName, type FaultInject, type FaultLinks, type FaultRecord } from '../../../shared/contract/index.js';
import type { ToxicSpec, ToxicType } from '../faults/network/index.js';
import { now } from '../clock.js';
import type { LinkKind, LinkProxy } from '../node-links.js';
import { formatAddress, parseListen, parseUpstream, printable } from './addresses.js';
import { ClientProxies, MAX_CLIENT_PROXIES, type ClientProxy } from './client-proxies.js';
import { checkAttributes, isToxicity, parseToxicBody } from './toxic-body.js';
import { ToxiproxyError, badBody, missingField, proxyExists, proxyNotFound, toxicExists, toxicNotFound } from './errors.js';

/** Toxiproxy's toxic, as its API shows one. */
export type ToxicJson = ToxicSpec<string, Record<string, unknown>>;

export interface ProxyJson {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicJson[];
}

/** What the API needs from the lab: its fault proxies, and its faults through the contract. */
export interface ToxiproxyLab {
  links(): LinkProxy[];
  faults(): Promise<FaultRecord[]>;
  inject(input: z.input<typeof FaultInject>): Promise<FaultRecord>;
  revert(id: string): Promise<FaultRecord>;
}

/** Toxics on one proxy at once: enough for any test suite, bounded for the lab. */
export const MAX_TOXICS_PER_PROXY = 32;

interface LabProxy extends LinkProxy {
  name: string;
}

type Named = { kind: 'lab'; proxy: LabProxy } | { kind: 'client'; proxy: ClientProxy };

/** The Toxiproxy name of a lab link: the node's id for the balancer's link, `<id>-replication` for its peers'. */
export function labProxyName(nodeId: string, link: LinkKind): string {
  return link === 'balancer' ? nodeId : `${nodeId}-replication`;
}

const covers = (links: FaultLinks, link: LinkKind): boolean => links === 'all' || links === link;
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export class ToxiproxyApi {
  private readonly clients = new ClientProxies();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly lab: ToxiproxyLab) {}

  /** Runs one operation after the ones before it (the API's requests never interleave). */
  run<T>(operation: () => Promise<T> | T): Promise<T> {
    const next = this.queue.then(operation, operation);
    this.queue = next.catch(() => undefined);
    return next;
  }

  async proxies(): Promise<Record<string, ProxyJson>> {
    const faults = await this.activeFaults();
    const out: Record<string, ProxyJson> = {};
    for (const proxy of this.labProxies().values()) out[proxy.name] = this.labJson(proxy, faults);
    for (const proxy of this.clients.all()) out[proxy.name] = clientJson(proxy);
    return out;
  }

  async proxy(name: string): Promise<ProxyJson> {
    const found = this.find(name);
    return found.kind === 'lab' ? this.labJson(found.proxy, await this.activeFaults()) : clientJson(found.proxy);
  }

  async createProxy(body: unknown): Promise<ProxyJson> {
    if (!isObject(body)) throw badBody('a JSON object {name, listen, upstream, enabled}');
    const input = parseProxyInput(body, '');
    if (this.labProxies().has(input.name) || this.clients.get(input.name)) throw proxyExists();
    const proxy = await this.clients.create(input);
    return clientJson(proxy);
  }

  /** Toxiproxy's POST/PATCH /proxies/{proxy}: fields not given keep their values. */
  async updateProxy(name: string, body: unknown): Promise<ProxyJson> {
    const found = this.find(name);
    if (!isObject(body)) throw badBody('a JSON object {enabled, listen, upstream}');
    if (body.enabled !== undefined && typeof body.enabled !== 'boolean') throw badBody('enabled: true or false');
    const enabled = body.enabled as boolean | undefined;
    if (found.kind === 'client') {
      const listen = body.listen !== undefined ? parseListen(body.listen) : undefined;
      const upstream = body.upstream !== undefined ? parseUpstream(body.upstream) : undefined;
      return clientJson(await this.clients.update(found.proxy, { listen, upstream, enabled }));
    }
    const proxy = found.proxy;
    // A lab link goes where the lab put it; saying the same again is fine (clients send the whole proxy back).
    if (body.listen !== undefined && parseListen(body.listen).port !== proxy.port && parseListen(body.listen).port !== 0) {
      throw new ToxiproxyError(409, `${name} is the lab's link to node ${proxy.nodeId}: its listen address is the lab's (127.0.0.1:${proxy.port}); only enabled can change`);
    }
    if (body.upstream !== undefined && parseUpstream(body.upstream).port !== proxy.upstreamPort) {
      throw new ToxiproxyError(409, `${name} is the lab's link to node ${proxy.nodeId}: its upstream is the node (127.0.0.1:${proxy.upstreamPort}); only enabled can change`);
    }
    const cuts = (await this.activeFaults()).filter((f) => f.type === 'partition' && f.target === proxy.nodeId && covers(f.links, proxy.link));
    if (enabled === false && cuts.length === 0) {
      await this.lab.inject({ type: 'partition', target: proxy.nodeId, links: proxy.link });
    } else if (enabled === true && cuts.length > 0) {
      await Promise.all(cuts.map((f) => this.lab.revert(f.id)));
    }
    return this.labJson(proxy, await this.activeFaults());
  }

  async deleteProxy(name: string): Promise<void> {
    const found = this.find(name);
    if (found.kind === 'lab') {
      throw new ToxiproxyError(409, `${name} is the lab's link to node ${found.proxy.nodeId}: it cannot be deleted (disable it with {"enabled": false}, or stop the node in the lab)`);
    }
    await this.clients.remove(found.proxy);
  }

  async toxics(proxyName: string): Promise<ToxicJson[]> {
    return (await this.proxy(proxyName)).toxics;
  }

  async toxic(proxyName: string, toxicName: string): Promise<ToxicJson> {
    const toxic = (await this.toxics(proxyName)).find((t) => t.name === toxicName);
    if (!toxic) throw toxicNotFound();
    return toxic;
  }

  async createToxic(proxyName: string, body: unknown): Promise<ToxicJson> {
    const found = this.find(proxyName);
    const toxic = parseToxicBody(body);
    const existing = found.kind === 'lab' ? this.labJson(found.proxy, await this.activeFaults()).toxics : found.proxy.proxy.toxics();
    if (existing.some((t) => t.name === toxic.name)) throw toxicExists();
    if (existing.length >= MAX_TOXICS_PER_PROXY) throw new ToxiproxyError(409, `${proxyName} has ${MAX_TOXICS_PER_PROXY} toxics already, the most one proxy takes; remove one first`);
    if (found.kind === 'client') return this.clients.addToxic(found.proxy, toxic);
    const { nodeId, link } = found.proxy;
    const record = await this.lab.inject({ type: toxic.type, target: nodeId, links: link, stream: toxic.stream, toxicity: toxic.toxicity, attributes: toxic.attributes, name: toxic.name });
    return toxicJson(record);
  }

  /** Toxiproxy's update: the attributes given change, the others keep their values; so does toxicity unless given. */
  async updateToxic(proxyName: string, toxicName: string, body: unknown): Promise<ToxicJson> {
    const found = this.find(proxyName);
    if (!isObject(body)) throw badBody('a JSON object {attributes, toxicity}');
    if (body.attributes !== undefined && !isObject(body.attributes)) throw badBody('attributes: an object');
    if (body.toxicity !== undefined && !isToxicity(body.toxicity)) throw badBody('toxicity: a number from 0 to 1');
    const attributes = (body.attributes ?? {}) as Record<string, unknown>;
    const toxicity = body.toxicity as number | undefined;
    if (found.kind === 'client') return this.clients.updateToxic(found.proxy, toxicName, attributes, toxicity);
    const record = this.labToxics(found.proxy, await this.activeFaults()).find((f) => (f.name ?? f.id) === toxicName);
    if (!record) throw toxicNotFound();
    const next = {
      type: record.type,
      target: record.target,
      links: record.links,
      stream: record.stream,
      toxicity: toxicity ?? record.toxicity,
      attributes: { ...record.attributes, ...attributes },
      name: toxicName,
      ...(record.expiresAt !== null ? { durationMs: Math.max(1, Math.round(record.expiresAt - now())) } : {}),
    };
    checkAttributes(record.type as ToxicType, next.attributes);
    // The lab's faults are not changed in place: the old one is reverted and the new one injected, both on the timeline.
    await this.lab.revert(record.id);
    return toxicJson(await this.lab.inject(next));
  }

  async deleteToxic(proxyName: string, toxicName: string): Promise<void> {
    const found = this.find(proxyName);
    if (found.kind === 'client') return this.clients.removeToxic(found.proxy, toxicName);
    const record = this.labToxics(found.proxy, await this.activeFaults()).find((f) => (f.name ?? f.id) === toxicName);
    if (!record) throw toxicNotFound();
    await this.lab.revert(record.id);
  }

  /** Every proxy enabled, every toxic gone: the lab's network faults are reverted (other kinds stay). */
  async reset(): Promise<void> {
    const network = (await this.activeFaults()).filter((f) => f.kind === 'network');
    await Promise.all(network.map((f) => this.lab.revert(f.id)));
    this.clients.reset();
  }

  /** What HALT does to the client's own proxies (the lab's faults are the registry's to halt). */
  resetClientProxies(): void {
    this.clients.reset();
  }

  /**
   * Creates the proxies named, or replaces one whose listen or upstream differs; everything is
   * checked before anything changes. The lab's own proxies cannot be populated.
   */
  async populate(body: unknown): Promise<{ proxies: ProxyJson[] }> {
    if (!Array.isArray(body)) throw badBody('a JSON array of proxies [{name, listen, upstream, enabled}]');
    if (body.length > MAX_CLIENT_PROXIES) throw badBody(`${body.length} proxies; at most ${MAX_CLIENT_PROXIES}`);
    const inputs = body.map((entry, i) => {
      if (!isObject(entry)) throw badBody(`proxy ${i + 1}: a JSON object {name, listen, upstream, enabled}`);
      return parseProxyInput(entry, ` at proxy ${i + 1}`);
    });
    const names = new Set<string>();
    for (const input of inputs) {
      if (this.labProxies().has(input.name)) {
        throw new ToxiproxyError(409, `proxy already exists: ${input.name} is the lab's own link; populate creates proxies of your own (disable the lab's with POST /proxies/${input.name})`);
      }
      if (names.has(input.name)) throw badBody(`proxy ${printable(input.name)} is listed twice`);
      names.add(input.name);
    }
    const out: ProxyJson[] = [];
    for (const input of inputs) {
      try {
        out.push(clientJson(await this.clients.createOrReplace(input)));
      } catch (error) {
        if (error instanceof ToxiproxyError) throw new ToxiproxyError(error.status, error.message, { proxies: out });
        throw error;
      }
    }
    return { proxies: out };
  }

  async close(): Promise<void> {
    await this.run(() => this.clients.close());
  }

  private find(name: string): Named {
    const lab = this.labProxies().get(name);
    if (lab) return { kind: 'lab', proxy: lab };
    const client = this.clients.get(name);
    if (client) return { kind: 'client', proxy: client };
    throw proxyNotFound();
  }

  /** The lab's links by Toxiproxy name; a node id that happens to look like another's `-replication` name keeps its own. */
  private labProxies(): Map<string, LabProxy> {
    const byName = new Map<string, LabProxy>();
    const links = this.lab.links();
    for (const link of [...links.filter((l) => l.link === 'balancer'), ...links.filter((l) => l.link === 'replication')]) {
      const name = labProxyName(link.nodeId, link.link);
      if (!byName.has(name)) byName.set(name, { ...link, name });
    }
    return byName;
  }

  private async activeFaults(): Promise<FaultRecord[]> {
    return (await this.lab.faults()).filter((f) => f.status === 'active');
  }

  private labToxics(proxy: LabProxy, active: FaultRecord[]): FaultRecord[] {
    return active.filter((f) => f.kind === 'network' && f.type !== 'partition' && f.target === proxy.nodeId && covers(f.links, proxy.link));
  }

  private labJson(proxy: LabProxy, active: FaultRecord[]): ProxyJson {
    const cut = active.some((f) => f.type === 'partition' && f.target === proxy.nodeId && covers(f.links, proxy.link));
    return {
      name: proxy.name,
      listen: formatAddress({ host: '127.0.0.1', port: proxy.port }),
      upstream: formatAddress({ host: '127.0.0.1', port: proxy.upstreamPort }),
      enabled: !cut,
      toxics: this.labToxics(proxy, active).map(toxicJson),
    };
  }
}

export interface ProxyInput {
  name: string;
  listen: ReturnType<typeof parseListen>;
  upstream: ReturnType<typeof parseUpstream>;
  /** As the client wrote it (`localhost:6379` stays so in what it reads back). */
  upstreamText: string;
  enabled: boolean;
}

function parseProxyInput(body: Record<string, unknown>, where: string): ProxyInput {
  if (body.name === undefined || body.name === '') throw missingField(`name${where}`);
  if (body.upstream === undefined || body.upstream === '') throw missingField(`upstream${where}`);
  const name = ToxicName.safeParse(body.name);
  if (!name.success) throw badBody(`name${where}: ${name.error.issues[0]?.message ?? 'not a name'}`);
  if (body.enabled !== undefined && body.enabled !== null && typeof body.enabled !== 'boolean') throw badBody(`enabled${where}: true or false`);
  const prefix = (error: unknown): never => {
    if (error instanceof ToxiproxyError && where) throw new ToxiproxyError(error.status, `${error.message}${where}`);
    throw error;
  };
  let listen: ProxyInput['listen'];
  let upstream: ProxyInput['upstream'];
  try {
    listen = parseListen(body.listen);
    upstream = parseUpstream(body.upstream);
  } catch (error) {
    return prefix(error);
  }
  return { name: name.data, listen, upstream, upstreamText: String(body.upstream), enabled: body.enabled !== false };
}

function toxicJson(record: FaultRecord): ToxicJson {
  return { name: record.name ?? record.id, type: record.type, stream: record.stream, toxicity: record.toxicity, attributes: { ...record.attributes } };
}

function clientJson(proxy: ClientProxy): ProxyJson {
  return { name: proxy.name, listen: formatAddress(proxy.listen), upstream: proxy.upstreamText, enabled: proxy.enabled, toxics: proxy.proxy.toxics() };
}
