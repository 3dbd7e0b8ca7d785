import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerMessage } from '../../shared/protocol';
import { decodeFrame, encodeFrame } from '../../shared/wire';
import type { Handlers } from '../api/dispatch';
import { EventBus } from '../services/events';
import { Jobs } from '../services/jobs';
import type { Services } from '../services';
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
  const services: Services = { handlers, events, jobs: new Jobs(events) };
  server = await startWebServer({ services, rendererDir });
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
});
