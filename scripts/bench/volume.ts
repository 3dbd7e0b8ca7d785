// Volume I/O figures: synthetic uint16 volumes written as uncompressed TIFF, then read back
// (sequential full read, slices along each axis cold and warm), then imported to OME-Zarr and
// sliced again, and written as HDF5 (64³ gzip chunks) and sliced in place. Targets: full read ≥ 500 MB/s from the page cache (uncompressed), peak RSS
// < 1 GiB at 1024³ with the default cache.
// The import (TIFF → OME-Zarr with its pyramid, default settings) is timed on its own: MB/s of
// source voxels by the wall clock and per CPU-second (all threads), and the peak RSS while it runs
// (target: ≥ 100 MB/s). --import-only skips the read and slice figures.
// With --zarr-sizes, also large OME-Zarr volumes written directly (compressed, with their pyramid)
// and opened as the app opens them, to time the first view of a slice at every pyramid level
// (target: within 200 ms at 2048³). They take minutes and about 0.75 bytes per voxel of disk.
// The app's first view of a slice is the slice views' stand-in: the pyramid level shared/pyramid
// picks (previewLevel), read cold; its own row says so. --zarr-keep DIR writes the large volumes
// there (or reuses them when already there) and keeps them, for repeated runs.
//   npx tsx scripts/bench/volume.ts [--sizes 256,512,1024] [--samples 5] [--import-only] [--zarr-sizes 2048] [--zarr-keep DIR]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { levelIndex, previewLevel } from '../../src/shared/pyramid';
import type { Axis, Vec3 } from '../../src/shared/volume';
import { RecentList } from '../../src/main/services/recent';
import { VolumeService } from '../../src/main/services/volume-service';
import {
  ChunkCache,
  DEFAULT_CACHE_BYTES,
  type Volume,
  createVolume,
  importToZarr,
  openVolume,
  sharedCache,
} from '../../src/main/volume';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  // An empty value counts: `--sizes ''` runs none of those cases.
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
};
const sizes = arg('sizes', '256,512,1024').split(',').filter(Boolean).map(Number);
const zarrSizes = arg('zarr-sizes', '').split(',').filter(Boolean).map(Number);
const samples = Number(arg('samples', '5'));
const importOnly = process.argv.includes('--import-only');
const zarrKeep = arg('zarr-keep', '');
const MB = 1e6;
const GiB = 1024 ** 3;

const quantile = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.round((xs.length - 1) * q)]!;
const peakRss = (): number => (process.resourceUsage().maxRSS * 1024) / GiB;

/**
 * Slices z0..z0+depth, rows y0..y0+rows of an n³ volume: a smooth structure plus noise, so
 * compression behaves as on a real tomogram.
 */
function slab(n: number, z0: number, depth: number, y0 = 0, rows = n): Uint16Array {
  const out = new Uint16Array(depth * rows * n);
  const wave = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 17));
  let seed = (z0 * 2654435761 + y0 * 40503) >>> 0;
  for (let z = 0; z < depth; z++)
    for (let y = 0; y < rows; y++)
      for (let x = 0, o = (z * rows + y) * n; x < n; x++, o++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        out[o] = 20000 + 8000 * wave[x]! * wave[y0 + y]! + 40 * (z0 + z) + (seed >>> 26);
      }
  return out;
}

async function time<T>(work: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const result = await work();
  return [performance.now() - start, result];
}

/**
 * Reads z-slabs of 16 slices, one after another, into one reused buffer: what a blockwise pass
 * over the volume does (reading each slab into fresh memory instead adds the kernel's cost of
 * faulting in new pages, which here is as large as the read; `freshRead` measures that case).
 * Returns MB/s by the wall clock and by the process's CPU time (user + system, all threads): on a
 * shared machine the second says what one free core would do. Best of `samples` passes.
 */
async function fullRead(volume: Volume): Promise<[number, number]> {
  const [d, h, w] = volume.shape;
  const megabytes = (d * h * w * 2) / MB;
  const buffer = new Uint16Array(16 * h * w);
  let best: [number, number] = [0, 0];
  for (let pass = 0; pass < samples; pass++) {
    const cpu = process.cpuUsage();
    const [ms] = await time(async () => {
      for (let z = 0; z < d; z += 16) {
        const depth = Math.min(16, d - z);
        await volume.read({ start: [z, 0, 0], shape: [depth, h, w] }, buffer.subarray(0, depth * h * w));
      }
    });
    const { user, system } = process.cpuUsage(cpu);
    best = [Math.max(best[0], megabytes / (ms / 1000)), Math.max(best[1], megabytes / ((user + system) / 1e6))];
  }
  return best;
}

/** One pass of 16-slice slabs, each read into a new array (MB/s): what a caller that keeps every slab pays. */
async function freshRead(volume: Volume): Promise<number> {
  const [d, h, w] = volume.shape;
  const [ms] = await time(async () => {
    for (let z = 0; z < d; z += 16) await volume.read({ start: [z, 0, 0], shape: [Math.min(16, d - z), h, w] });
  });
  return (d * h * w * 2) / MB / (ms / 1000);
}

/** The machine's own speed: the file read front to back in 16 MiB pieces, nothing decoded (best of `samples`). */
async function rawRead(path: string): Promise<number> {
  const fh = await open(path, 'r');
  const buffer = Buffer.allocUnsafeSlow(16 * 1024 ** 2);
  const size = (await fh.stat()).size;
  let best = Infinity;
  for (let pass = 0; pass < samples; pass++) {
    const [ms] = await time(async () => {
      for (let at = 0; at < size; at += buffer.length) await fh.read(buffer, 0, buffer.length, at);
    });
    best = Math.min(best, ms);
  }
  await fh.close();
  return size / MB / (best / 1000);
}

/** Slice latency along each axis: cold (fresh chunk cache; the OS page cache stays warm), then warm. */
async function sliceLatency(path: string, options: { level?: number } = {}): Promise<Record<string, string>> {
  const row: Record<string, string> = {};
  for (const [axis, a] of [
    ['z', 0],
    ['y', 1],
    ['x', 2],
  ] as const) {
    const cold: number[] = [];
    const warm: number[] = [];
    for (let s = 0; s < samples; s++) {
      const volume = await openVolume(path, { ...options, cache: new ChunkCache(DEFAULT_CACHE_BYTES) });
      const index = Math.floor(((s + 0.5) / samples) * volume.shape[a]);
      const region = { start: [0, 0, 0] as Vec3, shape: [...volume.shape] as Vec3 };
      region.start[a] = index;
      region.shape[a] = 1;
      cold.push((await time(() => volume.read(region)))[0]);
      warm.push((await time(() => volume.read(region)))[0]);
      await volume.close();
    }
    row[`${axis} cold`] = `${quantile(cold, 0.5).toFixed(0)} / ${quantile(cold, 0.95).toFixed(0)}`;
    row[`${axis} warm`] = `${quantile(warm, 0.5).toFixed(1)} / ${quantile(warm, 0.95).toFixed(1)}`;
  }
  return row;
}

/**
 * Imports the TIFF to OME-Zarr with the app's defaults (gzip, 64³ chunks, pyramid): MB/s of source
 * voxels by the wall clock and per CPU-second of this process (all threads: the codec runs on
 * Node's thread pool), and the highest RSS seen while it ran (sampled at every progress report).
 */
async function timeImport(tiff: string, zarr: string, bytes: number): Promise<Record<string, string>> {
  let rss = process.memoryUsage.rss();
  const cpu = process.cpuUsage();
  const [ms] = await time(() =>
    importToZarr(tiff, zarr, { progress: () => (rss = Math.max(rss, process.memoryUsage.rss())) }),
  );
  const { user, system } = process.cpuUsage(cpu);
  const disk = Number(execFileSync('du', ['-sb', zarr], { encoding: 'utf8' }).split('\t')[0]);
  return {
    'import MB/s': (bytes / MB / (ms / 1000)).toFixed(0),
    'import per CPU-s': (bytes / MB / ((user + system) / 1e6)).toFixed(0),
    'import s': (ms / 1000).toFixed(1),
    'import RSS GiB': (rss / GiB).toFixed(2),
    'on disk / source': (disk / bytes).toFixed(2),
    'peak RSS GiB': peakRss().toFixed(2),
  };
}

const rows: Record<string, string | number>[] = [];
/** Prints each row as it is measured (the 1024³ case takes minutes), and keeps it for the table. */
const report = (row: Record<string, string | number>): void => {
  console.log(JSON.stringify(row));
  rows.push(row);
};
for (const n of sizes) {
  const bytes = n ** 3 * 2;
  const free = statfsSync(tmpdir());
  // The TIFF, plus the OME-Zarr import (compressed, but allow for it not compressing at all).
  if (free.bavail * free.bsize < bytes * 2.5) {
    console.log(
      `skipping ${n}³: ${((bytes * 2.5) / GiB).toFixed(1)} GiB needed in ${tmpdir()}, ${((free.bavail * free.bsize) / GiB).toFixed(1)} GiB free`,
    );
    continue;
  }
  const dir = mkdtempSync(join(tmpdir(), 'tomoseg-bench-volume-'));
  try {
    const tiff = join(dir, `${n}.tif`);
    const [writeMs] = await time(async () => {
      const writer = await createVolume(tiff, { shape: [n, n, n], dtype: 'uint16' });
      for (let z = 0; z < n; z += 16)
        await writer.write({ start: [z, 0, 0], shape: [Math.min(16, n - z), n, n] }, slab(n, z, Math.min(16, n - z)));
      await writer.commit();
    });
    const zarr = join(dir, `${n}.zarr`);
    // First, while the process's peak RSS is still the import's own.
    const imported = await timeImport(tiff, zarr, bytes);
    report({ volume: `${n}³ TIFF → OME-Zarr import`, ...imported });
    if (importOnly) continue;

    const tiffVolume = await openVolume(tiff);
    const raw = await rawRead(tiff);
    const [tiffRead, tiffCpu] = await fullRead(tiffVolume);
    const tiffFresh = await freshRead(tiffVolume);
    await tiffVolume.close();
    report({
      volume: `${n}³ TIFF`,
      'write MB/s': (bytes / MB / (writeMs / 1000)).toFixed(0),
      'full read MB/s': tiffRead.toFixed(0),
      'per CPU-s': tiffCpu.toFixed(0),
      'fresh buffers MB/s': tiffFresh.toFixed(0),
      'raw read MB/s': raw.toFixed(0),
      '% of raw read': ((100 * tiffRead) / raw).toFixed(0),
      ...(await sliceLatency(tiff)),
      'peak RSS GiB': peakRss().toFixed(2),
    });

    const zarrVolume = await openVolume(zarr);
    const [zarrRead, zarrCpu] = await fullRead(zarrVolume);
    const levels = zarrVolume.levels?.length ?? 1;
    await zarrVolume.close();
    report({
      volume: `${n}³ OME-Zarr`,
      'write MB/s': `${imported['import MB/s']} (import)`,
      'full read MB/s': zarrRead.toFixed(0),
      'per CPU-s': zarrCpu.toFixed(0),
      ...(await sliceLatency(zarr)),
      'peak RSS GiB': peakRss().toFixed(2),
    });
    // The same voxels as HDF5 (64³ chunks, gzip level 1, as a beamline writes them), read in place.
    const h5 = join(dir, `${n}.h5`);
    const [h5WriteMs] = await time(() => writeHdf5(n, h5));
    const h5Volume = await openVolume(h5);
    const [h5Read, h5Cpu] = await fullRead(h5Volume);
    await h5Volume.close();
    report({
      volume: `${n}³ HDF5 (gzip, 64³ chunks)`,
      'write MB/s': `${(bytes / MB / (h5WriteMs / 1000)).toFixed(0)} (h5wasm)`,
      'full read MB/s': h5Read.toFixed(0),
      'per CPU-s': h5Cpu.toFixed(0),
      ...(await sliceLatency(h5)),
      'peak RSS GiB': peakRss().toFixed(2),
    });
    if (levels > 2)
      report({
        volume: `${n}³ OME-Zarr level 2`,
        ...(await sliceLatency(zarr, { level: 2 })),
        'peak RSS GiB': peakRss().toFixed(2),
      });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes the n³ volume as an HDF5 dataset /entry/data/data (NXtomo path), 64³ chunks, gzip level 1. */
async function writeHdf5(n: number, path: string): Promise<void> {
  const h5 = await import('h5wasm/node');
  await h5.ready;
  const file = new h5.File(path, 'w');
  try {
    const depth = Math.min(64, n);
    file.create_group('entry').create_group('data');
    const dataset = file.create_dataset({
      name: '/entry/data/data',
      data: slab(n, 0, depth),
      shape: [depth, n, n],
      maxshape: [n, n, n],
      dtype: '<H',
      chunks: [64, 64, 64].map((c) => Math.min(c, n)),
      compression: 'gzip',
      compression_opts: 1,
    });
    dataset.resize([n, n, n]);
    for (let z = depth; z < n; z += 64) {
      const d = Math.min(64, n - z);
      dataset.write_slice(
        [
          [z, z + d],
          [0, n],
          [0, n],
        ],
        slab(n, z, d),
      );
    }
  } finally {
    file.close();
  }
}

/** Writes the n³ volume of firstViews with our writer, as an import writes, and says how fast. */
async function writeLarge(n: number, path: string): Promise<void> {
  const [writeMs] = await time(async () => {
    const writer = await createVolume(path, { shape: [n, n, n], dtype: 'uint16' });
    // One output chunk deep and tall, the full width: as an import writes.
    for (let z = 0; z < n; z += 64) {
      for (let y = 0; y < n; y += 64) {
        const [depth, rows] = [Math.min(64, n - z), Math.min(64, n - y)];
        await writer.write({ start: [z, y, 0], shape: [depth, rows, n] }, slab(n, z, depth, y, rows));
      }
      console.log(
        `  writing ${n}³: slices to ${Math.min(n, z + 64) - 1} done, ${(process.uptime() / 60).toFixed(1)} min`,
      );
    }
    await writer.commit({ progress: (done, total, message) => console.log(`  ${message ?? ''} (${done}/${total})`) });
  });
  const disk = Number(execFileSync('du', ['-sb', path], { encoding: 'utf8' }).split('\t')[0]) / GiB;
  console.log(
    `${n}³ OME-Zarr written in ${(writeMs / 1000).toFixed(0)} s (${((n ** 3 * 2) / MB / (writeMs / 1000)) | 0} MB/s), ${disk.toFixed(1)} GiB on disk`,
  );
}

/**
 * An n³ uint16 OME-Zarr written by our writer (gzip level 1, 64³ chunks, with its pyramid), opened
 * as the app opens a volume (VolumeService.openPath: metadata and the value range), then sliced as
 * the views ask (readSlice) with an empty chunk cache before every slice: the first view of it.
 */
async function firstViews(n: number): Promise<void> {
  const dir = zarrKeep || mkdtempSync(join(tmpdir(), 'tomoseg-bench-zarr-'));
  const path = join(dir, `${n}.zarr`);
  const written = existsSync(join(path, 'zarr.json'));
  const free = statfsSync(dir);
  const needed = n ** 3 * 2 * 1.2;
  if (!written && free.bavail * free.bsize < needed + 5 * GiB) {
    console.log(
      `skipping ${n}³ OME-Zarr: ${(needed / GiB).toFixed(1)} GiB needed in ${dir}, ${((free.bavail * free.bsize) / GiB).toFixed(1)} GiB free`,
    );
    return;
  }
  try {
    if (written) console.log(`${n}³ OME-Zarr: reusing ${path}`);
    else await writeLarge(n, path);
    const service = new VolumeService(new RecentList(join(dir, 'recent.json')));
    sharedCache.drop('');
    const [openMs, info] = await time(() => service.openPath(path, false));
    const levels = service.levels(info.id);
    // The app's first picture: the three views' middle slices at once, at each level.
    for (const [level, { shape }] of levels.entries()) {
      sharedCache.drop('');
      const [threeMs] = await time(() =>
        Promise.all(
          (['z', 'y', 'x'] as const).map((axis, a) =>
            service.readSlice(info.id, axis, Math.floor(shape[a]! / 2), level),
          ),
        ),
      );
      const row: Record<string, string | number> = {
        volume: `${n}³ OME-Zarr level ${level} (${shape.join('×')})`,
        'open ms': level === 0 ? openMs.toFixed(0) : '',
        'three views ms': threeMs.toFixed(0),
      };
      for (const [a, axis] of (['z', 'y', 'x'] as Axis[]).entries()) {
        const cold: number[] = [];
        for (let s = 0; s < samples; s++) {
          sharedCache.drop('');
          const index = Math.floor(((s + 0.5) / samples) * shape[a]!);
          cold.push((await time(() => service.readSlice(info.id, axis, index, level)))[0]);
        }
        row[`${axis} first view`] = `${quantile(cold, 0.5).toFixed(0)} / ${quantile(cold, 0.95).toFixed(0)}`;
      }
      row['peak RSS GiB'] = peakRss().toFixed(2);
      report(row);
    }
    // What a slice view shows first: its stand-in level (shared/pyramid), per axis, cold.
    const app: Record<string, string | number> = { volume: `${n}³ OME-Zarr first view in the app` };
    const worst = { median: 0, p95: 0 };
    for (const [a, axis] of (['z', 'y', 'x'] as Axis[]).entries()) {
      const level = previewLevel(levels, axis);
      const extent = levels[level]!.shape[a]!;
      const cold: number[] = [];
      for (let s = 0; s < samples; s++) {
        sharedCache.drop('');
        const index = levelIndex(Math.floor(((s + 0.5) / samples) * n), n / extent, extent);
        cold.push((await time(() => service.readSlice(info.id, axis, index, level)))[0]);
      }
      worst.median = Math.max(worst.median, quantile(cold, 0.5));
      worst.p95 = Math.max(worst.p95, quantile(cold, 0.95));
      app[`${axis} first view`] =
        `${quantile(cold, 0.5).toFixed(0)} / ${quantile(cold, 0.95).toFixed(0)} (level ${level})`;
    }
    report(app);
    console.log(
      `${n}³ first view in the app, slowest axis: median ${worst.median.toFixed(0)} ms, p95 ${worst.p95.toFixed(0)} ms (target 200 ms: ${(worst.median / 200).toFixed(2)}× / ${(worst.p95 / 200).toFixed(2)}×)`,
    );
    await service.close(info.id);
  } finally {
    if (!zarrKeep) rmSync(dir, { recursive: true, force: true });
  }
}
if (zarrKeep) mkdirSync(zarrKeep, { recursive: true });
for (const n of zarrSizes) await firstViews(n);

console.log(
  `\nuint16, default chunk cache ${DEFAULT_CACHE_BYTES / 1024 ** 2} MiB; full and raw read: best of ${samples} passes; slice latency in ms as median / p95 over ${samples} slices per axis;\n` +
    `full read: 16-slice slabs into one reused buffer; 'fresh buffers': one pass, each slab into a new array;\n` +
    `'per CPU-s': full-read MB per CPU-second of this process (what one free core would give on a shared machine);\n` +
    `'first view': readSlice as the app calls it, chunk cache emptied before each slice (OS page cache warm from writing)`,
);
console.table(rows);
const imports = rows.filter((r) => r['import MB/s'] !== undefined);
if (imports.length > 0) {
  const slowest = Math.min(...imports.map((r) => Number(r['import MB/s'])));
  console.log(
    `import TIFF → OME-Zarr, slowest size: ${slowest} MB/s (${(slowest / 100).toFixed(2)}× the 100 MB/s target); ` +
      `${Math.min(...imports.map((r) => Number(r['import per CPU-s'])))} MB per CPU-second ` +
      `(the gzip codec runs on Node's thread pool, so free cores add up); ${os.availableParallelism()} cores, load ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
  );
}
const tiffRows = rows.filter((r) => String(r.volume).endsWith('TIFF'));
const worst = (key: string): number => Math.min(...tiffRows.map((r) => Number(r[key])));
if (tiffRows.length > 0)
  console.log(
    `full read of uncompressed TIFF, slowest size: ${worst('full read MB/s')} MB/s (${(worst('full read MB/s') / 500).toFixed(2)}× the 500 MB/s target); ` +
      `${worst('% of raw read')}% of a plain sequential read of the same file on this machine`,
  );
console.log(
  `peak RSS: ${peakRss().toFixed(2)} GiB (target < 1 GiB at 1024³ with the default cache: ${peakRss().toFixed(2)}× the limit)`,
);
