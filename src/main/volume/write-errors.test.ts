// Outputs on a read-only or full disk: the message names the output and the cause in words. The
// file system calls fail here as Node's do there (a read-only disk cannot be had without root).
import * as fs from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createVolume } from './create';
import { explain } from './errors';
import { tempDir } from './testing/data';

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  return { ...real, mkdir: vi.fn(real.mkdir), open: vi.fn(real.open), writeFile: vi.fn(real.writeFile) };
});

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const systemError = (code: string, syscall: string, path: string): Error =>
  Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, syscall, path });

const real = await vi.importActual<typeof import('node:fs/promises')>('node:fs/promises');

/** Makes `dir/readonly` behave as a folder on a read-only file system. */
function readOnlyFolder(): string {
  const folder = join(dir, 'readonly');
  vi.mocked(fs.mkdir).mockImplementation(async (path, options) => {
    if (!String(path).startsWith(folder)) return real.mkdir(path, options);
    // Node's recursive mkdir reports a read-only file system as a missing folder.
    const recursive = typeof options === 'object' && options?.recursive;
    throw systemError(recursive ? 'ENOENT' : 'EROFS', 'mkdir', String(path));
  });
  vi.mocked(fs.open).mockImplementation(async (path, flags, mode) => {
    if (String(path).startsWith(folder)) throw systemError('EROFS', 'open', String(path));
    return real.open(path, flags, mode);
  });
  return folder;
}

const spec = { shape: [4, 16, 16] as [number, number, number], dtype: 'uint8' as const };

describe('outputs that cannot be written', () => {
  afterEach(() => {
    vi.mocked(fs.mkdir).mockImplementation(real.mkdir);
    vi.mocked(fs.open).mockImplementation(real.open);
    vi.mocked(fs.writeFile).mockImplementation(real.writeFile);
  });

  it('says the file system is read-only, for Zarr and TIFF', async () => {
    const folder = readOnlyFolder();
    const zarr = join(folder, 's.zarr');
    await expect(createVolume(zarr, spec)).rejects.toThrow(`${zarr}: cannot be created (the file system is read-only)`);
    const tiff = join(folder, 's.tif');
    await expect(createVolume(tiff, spec)).rejects.toThrow(`${tiff}: cannot be created (the file system is read-only)`);
  });

  it('says the disk is full when chunks cannot be stored', async () => {
    const out = join(dir, 'full.zarr');
    let refused = false;
    vi.mocked(fs.writeFile).mockImplementation(async (path, data, options) => {
      if (String(path).includes('/c/')) {
        refused = true;
        throw systemError('ENOSPC', 'write', String(path));
      }
      return real.writeFile(path, data, options);
    });
    const writer = await createVolume(out, { ...spec, chunkShape: [2, 8, 8] });
    const slab = new Uint8Array(2 * 16 * 16).fill(7);
    await writer.write({ start: [0, 0, 0], shape: [2, 16, 16] }, slab);
    // The chunks of the first slab are stored in the background; once one is refused (and the
    // writer has heard of it), the next write reports the failure.
    await vi.waitFor(() => expect(refused).toBe(true));
    await new Promise((resolve) => setImmediate(resolve));
    const message = `${out}: cannot be written (the disk is full)`;
    await expect(writer.write({ start: [2, 0, 0], shape: [2, 16, 16] }, slab)).rejects.toThrow(message);
    await expect(writer.commit()).rejects.toThrow(message);
  });

  it('says the disk is full when a TIFF page cannot be written', async () => {
    const out = join(dir, 'full.tif');
    vi.mocked(fs.open).mockImplementation(async (path, flags, mode) => {
      const handle = await real.open(path, flags, mode);
      const write = handle.write.bind(handle) as (...args: unknown[]) => Promise<unknown>;
      // Page data starts after the 16-byte header; the header and page directories still fit.
      handle.write = (async (...args: unknown[]) => {
        if (typeof args[3] === 'number' && args[3] >= 16 && args[3] < 16 + 4 * 16 * 16)
          throw systemError('ENOSPC', 'write', String(path));
        return write(...args);
      }) as typeof handle.write;
      return handle;
    });
    const writer = await createVolume(out, spec);
    await expect(
      writer.write({ start: [0, 0, 0], shape: spec.shape }, new Uint8Array(4 * 16 * 16).fill(7)),
    ).rejects.toThrow(`${out}: cannot be written (the disk is full)`);
    await writer.abort();
  });

  it('names the missing folder an output would go into', async () => {
    const out = join(dir, 'no', 'such', 'folder', 's.tif');
    await expect(createVolume(out, spec)).rejects.toThrow(
      `${out}: cannot be created (the folder ${join(dir, 'no', 'such', 'folder')} does not exist)`,
    );
  });
});

describe('system errors in words', () => {
  it.each([
    ['EROFS', 'the file system is read-only'],
    ['ENOSPC', 'the disk is full'],
    ['EDQUOT', 'the disk quota is used up'],
    ['EIO', 'input/output error (a failing disk or network share)'],
  ])('%s', (code, words) => {
    const error = explain('/data/scan.tif', systemError(code, 'read', '/data/scan.tif'));
    expect(error).toMatchObject({ kind: 'bad-input', message: `/data/scan.tif: cannot be read (${words})` });
  });
});
