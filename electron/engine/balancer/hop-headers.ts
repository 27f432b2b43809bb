// Header rewriting both ways. Hop-by-hop headers (RFC 9110 §7.6.1: Connection, Keep-Alive,
// Proxy-*, TE, Trailer, Transfer-Encoding, Upgrade, and any header the Connection header names)
// belong to one connection and are dropped; X-Forwarded-* are set on the way in, and the node id
// and try count on the way out. Header arrays are flat: [name, value, name, value, ...].

/** What the request headers say about the body. */
export interface RequestBodyInfo {
  /** Content-Length, or -1 when absent. */
  contentLength: number;
  /** Transfer-Encoding present: a body of unknown length follows. */
  chunked: boolean;
}

export const NODE_HEADER = 'x-firedrill-node';
export const TRIES_HEADER = 'x-firedrill-tries';

/** Lower-case names dropped on the way in (hop-by-hop, plus those the proxy sets itself). */
function droppedOnRequest(name: string): boolean {
  if (name.startsWith('proxy-')) return true;
  switch (name.length) {
    case 2:
      return name === 'te';
    case 4:
      return name === 'host';
    case 6:
      return name === 'expect'; // the proxy answered `100-continue` itself
    case 7:
      return name === 'trailer' || name === 'upgrade';
    case 10:
      return name === 'connection' || name === 'keep-alive';
    case 15:
      return name === 'x-forwarded-for';
    case 16:
      return name === 'x-forwarded-host';
    case 17:
      return name === 'transfer-encoding' || name === 'x-forwarded-proto';
    default:
      return false;
  }
}

function droppedOnResponse(name: string): boolean {
  if (name.startsWith('proxy-')) return true;
  switch (name.length) {
    case 2:
      return name === 'te';
    case 7:
      return name === 'trailer' || name === 'upgrade';
    case 10:
      return name === 'connection' || name === 'keep-alive';
    case 16:
      return name === NODE_HEADER;
    case 17:
      return name === 'transfer-encoding' || name === TRIES_HEADER;
    default:
      return false;
  }
}

/** Extra header names a Connection header lists (besides keep-alive / close), lower case. */
export function connectionTokens(value: string): string[] {
  const out: string[] = [];
  for (const part of value.split(',')) {
    const token = part.trim().toLowerCase();
    if (token !== '' && token !== 'keep-alive' && token !== 'close') out.push(token);
  }
  return out;
}

function plainConnection(value: string): boolean {
  const lower = value.toLowerCase();
  return lower === 'keep-alive' || lower === 'close';
}

function removeNamed(headers: string[], names: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    if (!names.includes(headers[i]!.toLowerCase())) out.push(headers[i]!, headers[i + 1]!);
  }
  return out;
}

/**
 * The headers to send upstream, from the client's raw headers. Host is left for the upstream
 * client to set (127.0.0.1:PORT); the client's Host goes into X-Forwarded-Host.
 */
export function forwardRequestHeaders(raw: readonly string[], remoteAddress: string | undefined, body: RequestBodyInfo): string[] {
  const out: string[] = [];
  let host: string | undefined;
  let forwardedFor: string | undefined;
  let connection: string | undefined;
  body.contentLength = -1;
  body.chunked = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    const lower = name.toLowerCase();
    if (droppedOnRequest(lower)) {
      if (lower === 'host') host = value;
      else if (lower === 'x-forwarded-for') forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
      else if (lower === 'connection') connection = value;
      else if (lower === 'transfer-encoding') body.chunked = true;
      continue;
    }
    if (lower === 'content-length') body.contentLength = Number(value);
    out.push(name, value);
  }
  const client = remoteAddress ?? 'unknown';
  out.push('x-forwarded-for', forwardedFor === undefined ? client : `${forwardedFor}, ${client}`, 'x-forwarded-proto', 'http');
  if (host !== undefined) out.push('x-forwarded-host', host);
  if (connection !== undefined && !plainConnection(connection)) {
    const named = connectionTokens(connection);
    if (named.length > 0) return removeNamed(out, named);
  }
  return out;
}

/** Buffer#latin1Slice: what toString('latin1') calls, without its argument handling (untyped in @types/node). */
type Latin1 = Buffer & { latin1Slice(start?: number, end?: number): string };
const latin1 = (b: Buffer): string => (b as Latin1).latin1Slice(0, b.length);

/** The headers to send the client, from an upstream's raw response headers (Buffers, as undici gives them). */
export function forwardResponseHeaders(raw: readonly Buffer[], nodeId: string, tries: string, body?: { remaining: number }): string[] {
  const out: string[] = [];
  let connection: string | undefined;
  let length = -1;
  for (let i = 0; i < raw.length; i += 2) {
    const name = latin1(raw[i]!);
    const lower = name.toLowerCase();
    if (droppedOnResponse(lower)) {
      if (lower === 'connection') connection = latin1(raw[i + 1]!);
      else if (lower === 'transfer-encoding') length = -2;
      continue;
    }
    const value = latin1(raw[i + 1]!);
    if (length === -1 && lower === 'content-length') length = Number(value);
    out.push(name, value);
  }
  if (body !== undefined) body.remaining = length >= 0 && Number.isInteger(length) ? length : -1;
  out.push(NODE_HEADER, nodeId, TRIES_HEADER, tries);
  if (connection !== undefined && !plainConnection(connection)) {
    const named = connectionTokens(connection);
    if (named.length > 0) return removeNamed(out, named);
  }
  return out;
}
