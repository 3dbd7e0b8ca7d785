import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { type Server, createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Vec3 } from '../../shared/volume';
import { createVolume } from './create';
import { openVolume } from './open';
import { pattern, tempDir } from './testing/data';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Resolves to the call's outcome, or to 'timeout' when it has not settled after `ms`. */
function within<T>(call: Promise<T>, ms: number): Promise<T | Error | 'timeout'> {
  return Promise.race([
    call.catch((error: unknown) => error as Error),
    new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms)),
  ]);
}

describe.skipIf(process.platform === 'win32')('openVolume on what is not a file or folder', () => {
  it('refuses a FIFO at once, so later opens are not blocked behind it', async () => {
    const fifo = join(dir, 'pipe.tif');
    execFileSync('mkfifo', [fifo]);
    const image = join(dir, 'image.tif');
    const shape: Vec3 = [2, 4, 4];
    const writer = await createVolume(image, { shape, dtype: 'uint8' });
    await writer.write({ start: [0, 0, 0], shape }, pattern('uint8', shape));
    await writer.commit();
    let blocked = true;
    try {
      const opens = Array.from({ length: 5 }, () => within(openVolume(fifo), 2000));
      opens.push(within(openVolume(fifo, { raw: { shape, dtype: 'uint8' } }), 2000));
      const outcomes = await Promise.all(opens);
      blocked = outcomes.includes('timeout');
      for (const outcome of outcomes)
        expect(outcome).toMatchObject({
          kind: 'bad-input',
          message: `${fifo}: is a named pipe (FIFO), not a file or folder: only regular files and folders are opened`,
        });
      const volume = await within(openVolume(image), 2000);
      expect(volume).toMatchObject({ shape });
      if (typeof volume === 'object' && 'close' in volume) await volume.close();
    } finally {
      // Blocked opens (before the fix) return once a writer opens the FIFO: free the thread pool.
      if (blocked) spawnSync('timeout', ['2', 'sh', '-c', 'while :; do : > "$1"; done', 'sh', fifo]);
    }
  });

  it('refuses a socket and a device, naming them', async () => {
    const path = join(dir, 'socket.tif');
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      await expect(openVolume(path)).rejects.toThrow(`${path}: is a socket, not a file or folder`);
    } finally {
      server.close();
    }
    await expect(openVolume('/dev/zero', { raw: { shape: [1, 1, 1], dtype: 'uint8' } })).rejects.toThrow(
      '/dev/zero: is a device, not a file or folder',
    );
  });
});
