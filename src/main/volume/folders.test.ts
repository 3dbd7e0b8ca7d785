import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listFolder } from './folders';
import { tempDir } from './testing/data';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('listFolder', () => {
  it('shows subfolders first, then the volumes Tomoseg reads, in natural order; nothing hidden or unreadable', async () => {
    for (const folder of ['slices', 'scan.zarr', '.cache']) mkdirSync(join(dir, folder));
    for (const file of ['scan_10.tif', 'scan_9.TIFF', 'beamline.nxs', 'notes.txt', '.hidden.tif'])
      writeFileSync(join(dir, file), '');
    symlinkSync(join(dir, 'slices'), join(dir, 'linked'));
    const listing = await listFolder(dir);
    expect(listing.entries).toEqual([
      { name: 'linked', kind: 'folder' },
      { name: 'slices', kind: 'folder' },
      { name: 'beamline.nxs', kind: 'volume' },
      { name: 'scan_9.TIFF', kind: 'volume' },
      { name: 'scan_10.tif', kind: 'volume' },
      { name: 'scan.zarr', kind: 'volume' },
    ]);
    expect(listing.parent).toBe(join(dir, '..'));
    expect((await listFolder('/')).parent).toBeNull();
  });

  it('names the folder that cannot be listed', async () => {
    await expect(listFolder(join(dir, 'missing'))).rejects.toThrow(`${join(dir, 'missing')}: does not exist`);
  });
});
