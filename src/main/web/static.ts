// Serves the built renderer's files, nothing outside its folder. Any request target, however
// malformed, gets a status: none may throw out of here (an unhandled error would end the server).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { pipeline } from 'node:stream';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

/** The request target split into decoded path and raw query, or null when it is not a valid path. */
export function parseTarget(target: string | undefined): { path: string; query: string } | null {
  // Only origin-form ("/path?query"): absolute-form and "*" are for proxies.
  if (!target?.startsWith('/')) return null;
  const end = target.search(/[?#]/);
  const rawPath = end < 0 ? target : target.slice(0, end);
  const query = end >= 0 && target[end] === '?' ? target.slice(end + 1).split('#')[0]! : '';
  try {
    const path = decodeURIComponent(rawPath);
    return path.includes('\0') ? null : { path, query };
  } catch {
    return null; // a broken %-escape
  }
}

export function serveStatic(root: string, request: IncomingMessage, response: ServerResponse): void {
  send(root, request, response).catch(() => {
    if (!response.headersSent) plain(response, 500, 'internal error');
    else response.destroy();
  });
}

async function send(root: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    return plain(response, 405, 'method not allowed');
  }
  const target = parseTarget(request.url);
  if (!target) return plain(response, 400, 'bad request target');
  const file = normalize(join(root, target.path === '/' ? 'index.html' : target.path));
  if (!file.startsWith(normalize(root) + sep)) return plain(response, 403, 'forbidden');
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) return plain(response, 404, 'not found');
  response.writeHead(200, {
    'content-type': MIME[extname(file)] ?? 'application/octet-stream',
    'content-length': info.size,
    'cache-control': 'no-cache',
  });
  if (request.method === 'HEAD') return void response.end();
  // A file that vanishes or fails mid-read ends this response only.
  pipeline(createReadStream(file), response, () => undefined);
}

export function plain(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(message);
}
