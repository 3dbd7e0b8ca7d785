// Whatever arrives, the web server stays up and keeps answering: malformed requests, frames of every
// shape and a bounded fuzz of both, sent raw to a server in a process of its own (so a crash shows
// as its exit, not as an error inside the test runner).
import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerMessage } from '../../shared/protocol';
import { decodeFrame, encodeFrame } from '../../shared/wire';
import { MAX_FRAME_BYTES } from './server';

const HELPER = join(import.meta.dirname, 'server.test-helper.ts');

let server: ChildProcess | undefined;
let base: URL;
let token: string;
let stderr = '';

// A fresh server where the last one ended, so each case shows its own failure.
beforeEach(async () => {
  if (server && (await raw(get('/'))).startsWith('HTTP/1.1 200')) return;
  server?.kill('SIGKILL');
  stderr = '';
  const child = spawn(process.execPath, ['--import', 'tsx', HELPER], { stdio: ['ignore', 'pipe', 'pipe'] });
  server = child;
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${stderr}`)));
  });
  base = new URL(line);
  token = base.searchParams.get('token')!;
});

afterAll(() => {
  server?.kill();
});

/** Sends raw bytes on a fresh connection; resolves to what came back before it closed (or `timeout`). */
function raw(request: string | Buffer, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(Number(base.port), base.hostname);
    let reply = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(`${reply}timeout`);
    }, timeoutMs);
    socket.on('data', (d: Buffer) => (reply += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(reply);
    });
    // Half-closed, so an incomplete request ends rather than waits for more.
    socket.end(request);
  });
}

const get = (target: string, extra = ''): string =>
  `GET ${target} HTTP/1.1\r\nHost: ${base.host}\r\n${extra}Connection: close\r\n\r\n`;

const upgrade = (target: string): string =>
  get(
    target,
    'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n',
  );

function open(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://${base.host}/api?token=${token}`);
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

function call(socket: WebSocket, frame: Uint8Array): Promise<ServerMessage> {
  return new Promise((resolve, reject) => {
    socket.once('message', (data: Buffer) => resolve(decodeFrame(new Uint8Array(data)) as ServerMessage));
    socket.once('close', (code) => reject(new Error(`closed ${code}`)));
    socket.send(frame);
  });
}

/** Sends one frame and resolves to the server's answer: a message, or the close code it hung up with. */
function answer(send: (socket: WebSocket) => void): Promise<ServerMessage | { closed: number }> {
  return open().then(
    (socket) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => {
          socket.terminate();
          resolve({ closed: -1 });
        }, 3000);
        socket.on('error', () => undefined);
        socket.once('message', (data: Buffer) => {
          clearTimeout(timer);
          socket.close();
          resolve(decodeFrame(new Uint8Array(data)) as ServerMessage);
        });
        socket.once('close', (code) => {
          clearTimeout(timer);
          resolve({ closed: code });
        });
        send(socket);
      }),
  );
}

/** The server still runs and answers both a page and an API call. */
async function expectAlive(): Promise<void> {
  expect(server!.exitCode, stderr).toBeNull();
  expect((await fetch(new URL('/', base))).status).toBe(200);
  const socket = await open();
  expect(await call(socket, encodeFrame({ id: 7, method: 'recentVolumes', args: {} }))).toEqual({
    id: 7,
    result: ['a.tif'],
  });
  socket.close();
}

/** A seeded generator, so a failing fuzz case can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

describe('web server robustness', () => {
  it.each(['/%', '/%c0', '/%E0%A4%A', '/a%00b', 'http://[', 'http://[::1', '//%', '*'])(
    'answers GET %s with an error status and stays up',
    async (target) => {
      expect(await raw(get(target))).toMatch(/^HTTP\/1\.1 4\d\d /);
      await expectAlive();
    },
  );

  it('answers malformed upgrade requests without crashing', async () => {
    for (const target of ['/%', 'http://[', `/api%?token=${token}`, '/api?token=%'])
      expect(await raw(upgrade(target))).toMatch(/^HTTP\/1\.1 4\d\d /);
    await expectAlive();
  });

  it('answers other methods with 405, and garbage with 400', async () => {
    const post = `POST / HTTP/1.1\r\nHost: ${base.host}\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc`;
    expect(await raw(post)).toMatch(/^HTTP\/1\.1 405 /);
    expect(await raw('\x00\x01\x02 garbage\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
    await expectAlive();
  });

  it('survives clients that reset the connection during the upgrade', async () => {
    const resets = Array.from(
      { length: 50 },
      (_, k) =>
        new Promise<void>((resolve) => {
          const socket = connect(Number(base.port), base.hostname, () => {
            socket.write(upgrade(k % 2 ? '/api?token=wrong' : `/api?token=${token}`));
            socket.resetAndDestroy();
          });
          socket.on('close', () => resolve());
          socket.on('error', () => undefined);
        }),
    );
    await Promise.all(resets);
    await expectAlive();
  });

  it('answers frames that are not calls with an error or a close, and stays up', async () => {
    const frames: Uint8Array[] = [
      encodeFrame(null),
      encodeFrame(5),
      encodeFrame('recentVolumes'),
      encodeFrame([1, 2]),
      encodeFrame({}),
      encodeFrame({ id: 1 }),
      encodeFrame({ id: 'x', method: 'recentVolumes', args: {} }),
      encodeFrame({ id: 1, method: 5, args: {} }),
      encodeFrame({ id: 1, method: '__proto__', args: {} }),
      encodeFrame({ id: 1, method: 'constructor', args: {} }),
      encodeFrame({ id: 1, method: 'recentVolumes', args: 5 }),
      encodeFrame({ id: 1, method: 'recentVolumes', args: 'x' }),
      encodeFrame({ id: 1, method: 'readSlice', args: { $bin: ['uint8', 0, 10] } }),
      encodeFrame({ id: 1, method: 'readSlice', args: { $bin: ['nope', 0, 10] } }),
      encodeFrame({ id: 1, method: 'readSlice', args: { $bin: ['float64', 0, 2 ** 40] } }),
      encodeFrame({ id: 1, method: 'readSlice', args: { $bin: ['float64', -8, 1] } }),
      encodeFrame({ id: 1, method: 'readSlice', args: { $bin: 5 } }),
      new Uint8Array([]),
      new Uint8Array([1, 2]),
      new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x7b]),
      new TextEncoder().encode('null'),
      new TextEncoder().encode('not json at all'),
    ];
    for (const frame of frames) {
      const reply = await answer((socket) => socket.send(frame));
      if ('closed' in reply) expect(reply.closed, `frame ${frames.indexOf(frame)}`).toBe(1003);
      else expect(reply, `frame ${frames.indexOf(frame)}`).toMatchObject({ error: { kind: 'bad-input' } });
    }
    await expectAlive();
  });

  it('answers a call whose result cannot be sent with an error', async () => {
    const socket = await open();
    expect(await call(socket, encodeFrame({ id: 3, method: 'openSample', args: {} }))).toMatchObject({
      id: 3,
      error: { kind: 'internal' },
    });
    socket.close();
    await expectAlive();
  });

  it('closes on text frames, broken UTF-8, protocol errors and frames over the size limit', async () => {
    const sends: ((socket: WebSocket) => void)[] = [
      (s) => s.send('null'),
      (s) => s.send(Buffer.from([0xc3, 0x28]), { binary: false }),
      // unmasked, which a client must never send
      (s) => (s as unknown as { _socket: { write(b: Buffer): void } })._socket.write(Buffer.from([0x82, 0x01, 0x00])),
      // reserved opcode 3
      (s) =>
        (s as unknown as { _socket: { write(b: Buffer): void } })._socket.write(Buffer.from([0x83, 0x80, 0, 0, 0, 0])),
      (s) => s.send(new Uint8Array(MAX_FRAME_BYTES + 1)),
    ];
    for (const send of sends) {
      const reply = await answer(send);
      expect(reply, `send ${sends.indexOf(send)}`).toHaveProperty('closed');
      expect((reply as { closed: number }).closed).not.toBe(-1);
    }
    await expectAlive();
  });

  it('survives a bounded fuzz of random requests and frames', async () => {
    const next = random(18);
    const byte = (): number => Math.floor(next() * 256);
    const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, byte));
    const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)]!;
    const targets = ['/', '/api', `/api?token=${token}`, '/%', '/%%', '/..', 'http://[', '/assets/', '?', '#'];
    for (let round = 0; round < 10; round++) {
      const requests = Array.from({ length: 12 }, () => {
        const target = pick(targets) + bytes(Math.floor(next() * 6)).toString('latin1');
        const header = pick([
          '',
          'Upgrade: websocket\r\nConnection: Upgrade\r\n',
          `Origin: ${bytes(4).toString('latin1')}\r\n`,
        ]);
        return next() < 0.2 ? bytes(Math.floor(next() * 64)) : get(target, header);
      });
      const frames = Array.from({ length: 12 }, () => {
        const header = JSON.stringify(
          pick([
            {
              id: byte(),
              method: pick(['readSlice', 'recentVolumes', 'x']),
              args: { $bin: [pick(['uint8', 'x']), byte() - 8, byte()] },
            },
            { id: byte(), method: 'readSlice', args: { volumeId: bytes(3).toString('latin1'), axis: 'z', index: -1 } },
            pick([null, 1, 'x', [], {}]),
          ]),
        );
        const frame = Buffer.concat([Buffer.alloc(4), Buffer.from(header), bytes(Math.floor(next() * 16))]);
        frame.writeUInt32LE(next() < 0.8 ? header.length : byte() * 2 ** 16, 0);
        if (next() < 0.2) frame[4 + Math.floor(next() * header.length)] = byte();
        return frame;
      });
      const replies = await Promise.all([
        ...requests.map((request) => raw(request)),
        ...frames.map((frame) => answer((socket) => socket.send(frame))),
      ]);
      for (const reply of replies) expect(reply).not.toEqual('timeout');
      for (const reply of replies) if (typeof reply !== 'string') expect(reply).not.toEqual({ closed: -1 });
      expect(server!.exitCode, stderr).toBeNull();
    }
    await expectAlive();
  });
});
