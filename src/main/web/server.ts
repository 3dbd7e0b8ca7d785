// Web mode: serves the built renderer and the API over a WebSocket on localhost. A random token
// in the URL is required to open the socket, so other local users cannot drive the services; the
// Host and Origin of every request must name this server (see addresses.ts).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { type IncomingMessage, STATUS_CODES, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import type { Backend } from '../services';
import { hostNames, refusal } from './addresses';
import { serveApi } from './api-socket';
import { parseTarget, plain, serveStatic } from './static';

export interface WebServerOptions {
  backend: Backend;
  /** Folder of the built renderer (index.html and assets). */
  rendererDir: string;
  host?: string;
  port?: number;
  token?: string;
}

export interface WebServer {
  url: string;
  close(): Promise<void>;
}

/** Calls are small JSON (the largest, a stroke's points); a larger frame closes its socket. */
export const MAX_FRAME_BYTES = 16 * 1024 ** 2;

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(16).toString('hex');
  const names = hostNames(host);
  const http = createServer((request, response) => {
    const refused = refusal(names, request.headers.host, request.headers.origin);
    if (refused) plain(response, 403, refused);
    else serveStatic(options.rendererDir, request, response);
  });
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });

  http.on('upgrade', (request, socket: Socket, head) => {
    // Node's HTTP server stops watching the socket once it is upgraded: a reset must not go unheard.
    socket.on('error', () => socket.destroy());
    const status = upgradeRefusal(request, names, token);
    if (status) {
      socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n\r\n`);
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => serveApi(ws, options.backend));
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, host, resolve);
  });
  // Later failures (accepting a connection when out of file handles) must not end the server.
  http.on('error', (error) => console.error(`web server: ${error.message}`));
  const { port } = http.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    close: async () => {
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** The status refusing a WebSocket upgrade, or 0 to accept it: the API path, the token, own Host and Origin. */
function upgradeRefusal(request: IncomingMessage, names: Set<string>, token: string): number {
  const target = parseTarget(request.url);
  if (!target) return 400;
  if (refusal(names, request.headers.host, request.headers.origin)) return 403;
  const given = new URLSearchParams(target.query).get('token');
  return target.path === '/api' && sameToken(given, token) ? 0 : 403;
}

/** Compares tokens in constant time, so response times do not reveal how much of a guess was right. */
function sameToken(given: string | null, token: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
