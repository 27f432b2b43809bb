// Listen and upstream addresses: loopback only. The lab sends nothing off this machine and listens
// on 127.0.0.1 only, so `0.0.0.0:N`, `[::]:N` or a host name are refused with a message saying so.

import { badBody } from './errors.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost']);

export interface Address {
  host: '127.0.0.1';
  port: number;
}

function parse(text: string, field: string, allowZero: boolean): Address {
  const match = /^(.*):(\d{1,5})$/.exec(text);
  const host = match?.[1] ?? '';
  const port = Number(match?.[2]);
  if (!match || !(port >= (allowZero ? 0 : 1) && port <= 65_535)) {
    throw badBody(`${field} "${printable(text)}": not HOST:PORT (write 127.0.0.1:PORT${allowZero ? ', or 127.0.0.1:0 for a free port' : ''})`);
  }
  if (!LOOPBACK.has(host)) {
    throw badBody(
      field === 'upstream'
        ? `upstream "${printable(text)}": only 127.0.0.1 upstreams: the lab sends nothing off this machine (write 127.0.0.1:PORT)`
        : `listen "${printable(text)}": the lab listens on 127.0.0.1 only (write 127.0.0.1:PORT)`,
    );
  }
  return { host: '127.0.0.1', port };
}

export function parseUpstream(text: unknown): Address {
  if (typeof text !== 'string') throw badBody('upstream: a string, HOST:PORT');
  return parse(text, 'upstream', false);
}

/** Missing or empty: a free port (Toxiproxy listens on a free port then too). */
export function parseListen(text: unknown): Address {
  if (text === undefined || text === null || text === '') return { host: '127.0.0.1', port: 0 };
  if (typeof text !== 'string') throw badBody('listen: a string, HOST:PORT');
  return parse(text, 'listen', true);
}

export function formatAddress(address: Address): string {
  return `${address.host}:${address.port}`;
}

/** For messages: control characters escaped, long input cut. */
export function printable(text: string): string {
  const cut = text.length > 100 ? `${text.slice(0, 100)}…` : text;
  return JSON.stringify(cut).slice(1, -1);
}
