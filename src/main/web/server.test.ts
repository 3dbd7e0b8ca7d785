import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerMessage } from '../../shared/protocol';
import { decodeFrame, encodeFrame } from '../../shared/wire';
import type { Handlers } from '../api/dispatch';
import { EventBus } from '../services/events';
import { Jobs } from '../services/jobs';
import type { Backend } from '../services';
import { type WebServer, startWebServer } from './server';

let server: WebServer;
let events: EventBus;

beforeAll(async () => {
  const rendererDir = await mkdtemp(join(tmpdir(), 'tomoseg-web-'));
  await mkdir(join(rendererDir, 'assets'));
  await writeFile(join(rendererDir, 'index.html'), '<html>tomoseg</html>');
  await writeFile(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  events = new EventBus();
  const handlers = {
    readSlice: async ({ index }: { index: number }) => ({
      width: 2,
      height: 1,
      dtype: 'uint16',
      data: new Uint16Array([index, 9]),
    }),
    openVolume: async ({ path }: { path: string }) => {
      throw Object.assign(new Error(`${path}: not a TIFF file`), { name: 'TomosegError' });
    },
  } as unknown as Handlers;
  const backend: Backend = { handlers, events, jobs: new Jobs(events) };
  server = await startWebServer({ backend, rendererDir });
});

afterAll(() => server.close());

const apiUrl = (token: string): string => {
  const url = new URL(server.url);
  return `ws://${url.host}/api?token=${token}`;
};

function connect(token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(apiUrl(token));
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

function nextMessage(socket: WebSocket): Promise<ServerMessage> {
  return new Promise((resolve) =>
    socket.once('message', (data: Buffer) => resolve(decodeFrame(new Uint8Array(data)) as ServerMessage)),
  );
}

describe('web server', () => {
  it('listens on loopback with a token in the URL', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32}$/);
  });

  it('refuses the API without the right token', async () => {
    await expect(connect('wrong')).rejects.toThrow(/403/);
  });

  it('answers calls with typed arrays intact, and errors as {name, message, kind}', async () => {
    const socket = await connect(new URL(server.url).searchParams.get('token')!);
    socket.send(encodeFrame({ id: 1, method: 'readSlice', args: { volumeId: 'a', axis: 'z', index: 5 } }));
    expect(await nextMessage(socket)).toEqual({
      id: 1,
      result: { width: 2, height: 1, dtype: 'uint16', data: new Uint16Array([5, 9]) },
    });
    socket.send(encodeFrame({ id: 2, method: 'readSlice', args: { volumeId: 'a', axis: 'q', index: 0 } }));
    expect(await nextMessage(socket)).toMatchObject({ id: 2, error: { kind: 'bad-input' } });
    socket.send(encodeFrame({ id: 3, method: 'openVolume', args: { path: '/data/x.tif' } }));
    expect(await nextMessage(socket)).toMatchObject({ id: 3, error: { message: '/data/x.tif: not a TIFF file' } });
    events.emit({ type: 'job', job: { id: 'j', kind: 'import', state: 'running', done: 1, total: 4, message: '' } });
    expect(await nextMessage(socket)).toMatchObject({ event: { type: 'job', job: { id: 'j', done: 1 } } });
    socket.close();
  });

  it('serves the renderer and nothing outside it', async () => {
    const base = new URL(server.url);
    expect(await (await fetch(new URL('/', base))).text()).toBe('<html>tomoseg</html>');
    const script = await fetch(new URL('/assets/app.js', base));
    expect(script.headers.get('content-type')).toBe('text/javascript');
    const escape = await fetch(`http://${base.host}/..%2f..%2fetc%2fpasswd`);
    expect([403, 404]).toContain(escape.status);
  });

  it('refuses a valid token from a foreign Origin or Host, and pages to a foreign Host', async () => {
    const { host, port } = new URL(server.url);
    const token = new URL(server.url).searchParams.get('token')!;
    const status = (headers: Record<string, string>, target = `/api?token=${token}`): Promise<number> =>
      rawStatus(Number(port), target, { Host: host, ...headers });
    const upgrade = { Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Version': '13' };
    const key = { 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' };
    const ws = { ...upgrade, ...key };
    expect(await status(ws)).toBe(101);
    expect(await status({ ...ws, Origin: `http://${host}` })).toBe(101);
    expect(await status({ ...ws, Host: `localhost:${port}`, Origin: `http://localhost:${port}` })).toBe(101);
    expect(await status({ ...ws, Host: `[::1]:${port}` })).toBe(101);
    // an SSH tunnel from another local port
    expect(await status({ ...ws, Host: 'localhost:9999', Origin: 'http://localhost:9999' })).toBe(101);

    expect(await status({ ...ws, Origin: 'http://evil.example' })).toBe(403);
    expect(await status({ ...ws, Origin: 'null' })).toBe(403);
    // a page of another server on this machine
    expect(await status({ ...ws, Origin: 'http://127.0.0.1:1' })).toBe(403);
    for (const foreign of [
      `evil.example:${port}`,
      'evil.example',
      `127.0.0.1.evil.example:${port}`,
      `a@127.0.0.1:${port}`,
      '',
    ])
      expect(await status({ ...ws, Host: foreign }), foreign).toBe(403);

    expect(await status({}, '/')).toBe(200);
    expect(await status({ Host: `localhost:${port}` }, '/')).toBe(200);
    expect(await status({ Host: `evil.example:${port}` }, '/')).toBe(403);
    expect(await status({ Host: `evil.example:${port}` }, '/assets/app.js')).toBe(403);
    expect(await status({ Origin: 'http://evil.example' }, '/')).toBe(403);
  });
});

/** The status of a raw request with exactly these headers (an empty Host header is sent as such). */
function rawStatus(port: number, target: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp(port, '127.0.0.1');
    const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
    socket.write(`GET ${target} HTTP/1.1\r\n${lines.join('')}\r\n`);
    socket.once('data', (data: Buffer) => {
      resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(data.toString('latin1'))?.[1]));
      socket.destroy();
    });
    socket.once('error', reject);
    socket.once('close', () => resolve(Number.NaN));
  });
}
