// What web mode's file browser shows of a folder on the machine that runs Tomoseg: its subfolders
// and the files Tomoseg reads (TIFF, HDF5 / NeXus; a .zarr folder is a volume), hidden ones left
// out, folders first, in natural order.
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FolderEntry, FolderListing } from '../../shared/api/volume';
import { explain } from './errors';
import { HDF5_EXTENSION } from './hdf5/reader';
import { naturalCompare } from './open';

const READABLE = /\.(tiff?|h5|hdf5|nxs)$/i;
const ZARR = /\.zarr$/i;
/** A folder of more than this is cut short (and says so): the list is for picking, not an inventory. */
const MAX_ENTRIES = 2000;

export async function listFolder(folder: string): Promise<FolderListing> {
  const entries: Dirent[] = await readdir(folder, { withFileTypes: true }).catch((error: unknown) => {
    throw explain(folder, error);
  });
  const shown: FolderEntry[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const kind = await kindOf(folder, entry);
    if (kind) shown.push({ name: entry.name, kind });
  }
  shown.sort((a, b) => Number(b.kind === 'folder') - Number(a.kind === 'folder') || naturalCompare(a.name, b.name));
  const parent = dirname(folder);
  return {
    path: folder,
    parent: parent === folder ? null : parent,
    entries: shown.slice(0, MAX_ENTRIES),
    more: Math.max(0, shown.length - MAX_ENTRIES),
  };
}

/** A folder, a volume we read, or nothing worth showing; symbolic links count as what they point to. */
async function kindOf(folder: string, entry: Dirent): Promise<FolderEntry['kind'] | null> {
  let directory = entry.isDirectory();
  let file = entry.isFile();
  if (entry.isSymbolicLink()) {
    const target = await stat(join(folder, entry.name)).catch(() => null);
    directory = target?.isDirectory() ?? false;
    file = target?.isFile() ?? false;
  }
  if (directory) return ZARR.test(entry.name) ? 'volume' : 'folder';
  return file && (READABLE.test(entry.name) || HDF5_EXTENSION.test(entry.name)) ? 'volume' : null;
}
