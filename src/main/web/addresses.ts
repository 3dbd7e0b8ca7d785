// Which names the web server answers to. A page of another site that rebinds its DNS name to this
// machine (DNS rebinding) sends its own name as Host; a page that opens our WebSocket from
// elsewhere sends its own Origin. Both are refused, whatever token they carry.
import { hostname, networkInterfaces } from 'node:os';

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]', '']);

/** Host names (lower case, IPv6 in brackets) that reach a server listening on `host`. */
export function hostNames(host: string): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '[::1]', bracketed(host.toLowerCase())]);
  if (WILDCARDS.has(host)) {
    // Every interface listens: its addresses and this machine's name reach the server.
    names.add(hostname().toLowerCase());
    for (const addresses of Object.values(networkInterfaces()))
      for (const { address } of addresses ?? [])
        if (!address.includes('%')) names.add(bracketed(address.toLowerCase()));
  }
  return names;
}

/** `name` or `[name]` for an IPv6 address, as it appears in a Host header. */
const bracketed = (host: string): string => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);

const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d{1,5})?$/i;

/**
 * Why a request must be refused, or null when its Host names this server and its Origin, if any, is
 * the page this server served. Only the name of Host is checked, not its port: an SSH tunnel may
 * forward another local port. The Origin must equal Host, port included: a page of another local
 * server (another port) is another site. Clients other than browsers send no Origin.
 */
export function refusal(names: Set<string>, host: string | undefined, origin: string | undefined): string | null {
  const name = host === undefined ? undefined : HOST_HEADER.exec(host)?.[1]?.toLowerCase();
  if (!name || !names.has(name)) return `unknown host ${JSON.stringify(host ?? '')}`;
  if (origin !== undefined) {
    const lower = origin.toLowerCase();
    const own = host!.toLowerCase();
    if (lower !== `http://${own}` && lower !== `https://${own}`) return `foreign origin ${JSON.stringify(origin)}`;
  }
  return null;
}

/** Whether `host` is reachable from this machine only. */
export function isLoopback(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return name === 'localhost' || name === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(name);
}

/**
 * What listening on a host other than loopback exposes, and the safe way to use Tomoseg from
 * another machine instead; null on loopback.
 */
export function exposureWarning(host: string, port: number): string | null {
  if (isLoopback(host)) return null;
  return [
    `WARNING: listening on ${host}, so Tomoseg is reachable from other machines on the network.`,
    '  The token in the URL is the only protection: whoever has it can read and write files as you.',
    '  Traffic is not encrypted: anyone on the network path can read the token, your images and labels.',
    `  Safer: start it with --port ${port} and without --host (then it listens on 127.0.0.1 only), and`,
    `  tunnel over SSH from your own machine: ssh -L ${port}:127.0.0.1:${port} <this-host>`,
    `  then open http://127.0.0.1:${port}/?token=… there.`,
  ].join('\n');
}
