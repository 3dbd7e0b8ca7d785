// 3D-view overview figures: the time to read the whole-volume overview (at most 128 voxels per
// edge) of the bundled sample, of a synthetic uint16 volume stored as an uncompressed TIFF (strided
// planes), and of the same volume imported to OME-Zarr (read from a pyramid level), with the peak
// RSS growth. Target: under 1 s for 512³ from the page cache, memory bounded by a few strips.
// Then the painted labels' overview of an edge³ label store with a few million labelled voxels:
// a full recount against the update after one small stroke (what the 3D view reads while painting),
// and the memory a stroke on an empty 2048³ store takes (target < 8 MiB: its blocks, not the volume;
// src/main/labels/label-store.test.ts checks the blocks and bytes the store keeps).
//   npx tsx scripts/bench/overview.ts [--edge 512] [--max-edge 128]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Vec3 } from '../../src/shared/volume';
import { Random } from '../../src/main/engine/random';
import { LabelOverviewCache, LabelStore, labelOverview } from '../../src/main/labels';
import { RecentList } from '../../src/main/services/recent';
import { VolumeService } from '../../src/main/services/volume-service';
import { createVolume, importToZarr } from '../../src/main/volume';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const edge = arg('edge', 512);
const maxEdge = arg('max-edge', 128);
const dir = mkdtempSync(join(tmpdir(), 'tomoseg-bench-overview-'));
const service = new VolumeService(new RecentList(join(dir, 'recent.json')));
const TARGET_MS = 1000;

async function time(label: string, path: string): Promise<number> {
  const { id, shape } = await service.openPath(path, false);
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const started = performance.now();
  const overview = await service.readOverview(id, maxEdge);
  const ms = performance.now() - started;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  console.log(
    `${label.padEnd(28)} ${shape.join('×').padEnd(12)} → ${overview.shape.join('×').padEnd(12)} ` +
      `${ms.toFixed(0).padStart(6)} ms  (${(ms / TARGET_MS).toFixed(2)}× the 1 s target)  ` +
      `RSS +${((peak - rssBefore) / 1024 ** 2).toFixed(0)} MiB  overview ${(overview.data.byteLength / 1024 ** 2).toFixed(1)} MiB`,
  );
  await service.close(id);
  return ms;
}

/** Median of `runs` timings of `work`, in ms. */
function median(runs: number, work: () => void): number {
  const times = Array.from({ length: runs }, () => {
    const started = performance.now();
    work();
    return performance.now() - started;
  });
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

/** Full label overview against the incremental one after a small stroke, on a store painted all over. */
function timeLabelOverview(): void {
  const shape: Vec3 = [edge, edge, edge];
  const store = new LabelStore(shape);
  const random = new Random(7);
  // Brush discs (radius 15) of three classes on every fourth slice: strokes spread through the volume.
  for (let z = 0; z < edge; z += 4)
    for (let i = 0; i < 40; i++) {
      const center: Vec3 = [z, random.next() * edge, random.next() * edge];
      store.paint({ value: 1 + random.int(3), shapes: [{ kind: 'disc', axis: 'z', center, radius: 15 }] });
    }
  const voxelSize: Vec3 = [1, 1, 1];
  const full = median(5, () => labelOverview(store, voxelSize, maxEdge));
  const cache = new LabelOverviewCache(store);
  cache.read(voxelSize, maxEdge);
  // One small stroke (a radius-5 disc: four label blocks at most) before each read.
  const incremental = median(21, () => {
    const center: Vec3 = [random.int(edge), random.next() * edge, random.next() * edge];
    store.paint({ value: 1 + random.int(3), shapes: [{ kind: 'disc', axis: 'z', center, radius: 5 }] });
    cache.read(voxelSize, maxEdge);
  });
  const label = `labels ${edge}³, ${(store.labelledCount / 1e6).toFixed(1)} M painted`;
  console.log(`${label.padEnd(28)} full recount ${full.toFixed(1).padStart(7)} ms`);
  console.log(
    `${''.padEnd(28)} after a stroke ${incremental.toFixed(1).padStart(5)} ms  (stroke and update; ${(full / incremental).toFixed(0)}× faster)`,
  );
}

/** Array-buffer memory taken by one stroke (and listing its voxels) on an empty 2048³ label store. */
function paintMemory(): void {
  const store = new LabelStore([2048, 2048, 2048]);
  const before = process.memoryUsage().arrayBuffers;
  store.paint({ value: 1, shapes: [{ kind: 'disc', axis: 'z', center: [2047, 2040, 2040], radius: 20 }] });
  store.labelledVoxels();
  const grown = (process.memoryUsage().arrayBuffers - before) / 2 ** 20;
  console.log(
    `a radius-20 disc painted on an empty 2048³ label store: +${grown.toFixed(2)} MiB of array buffers (target < 8 MiB), ${store.blockKeys().length} block(s)`,
  );
}

try {
  console.log(`overview, max edge ${maxEdge}; machine shared with other work, so times are noisy`);
  await time('sample (TIFF)', join(import.meta.dirname, '../../resources/sample/bone_128x128x128.tif'));
  timeLabelOverview();
  paintMemory();

  const shape: Vec3 = [edge, edge, edge];
  const tiff = join(dir, `synthetic_${edge}.tif`);
  const writer = await createVolume(tiff, { shape, dtype: 'uint16' });
  const slab = 16;
  for (let z = 0; z < edge; z += slab) {
    const data = new Uint16Array(slab * edge * edge);
    for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761 + z) % 65521;
    await writer.write({ start: [z, 0, 0], shape: [slab, edge, edge] }, data);
  }
  await writer.commit();
  await time(`${edge}³ uint16 TIFF`, tiff);
  const zarr = join(dir, `synthetic_${edge}.zarr`);
  await importToZarr(tiff, zarr);
  await time(`${edge}³ uint16 OME-Zarr`, zarr);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
