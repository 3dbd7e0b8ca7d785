// Reads a 3D dataset of an HDF5 / NeXus file (.h5, .hdf5, .nxs) in place, block by block: each
// read asks the HDF5 library (h5wasm) for the chunks it touches, so memory stays bounded by the
// chunk cache however large the file. Which dataset: the one asked for, else the NeXus default
// (root `default` → NXentry `default` → NXdata `signal`), else the known beamline paths, else the
// only 3D dataset; with several and none of these, the error lists them.
import { stat } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import type * as H5 from 'h5wasm';
import { type Dtype, type TypedArray, type Vec3, allocate, bytesPerElement, dtypeOf } from '../../../shared/volume';
import type { Chunk, ChunkCache } from '../cache';
import { ChunkedVolume, checkVolumeSize } from '../chunked';
import { explain, fileProblem, unsupported } from '../errors';
import { type DatasetInfo, captured, describeType, kindOf, h5wasm, quietly, reasonOf, walkDatasets } from './h5';

export const HDF5_EXTENSION = /\.(h5|hdf5|hdf|nxs|nx5|he5)$/i;

/** Where beamline software puts the reconstruction, in the order they are tried. */
export const KNOWN_PATHS = [
  '/entry/data/data', // NeXus NXtomo (Diamond, ...)
  '/exchange/data', // Data Exchange (APS, SLS, tomopy)
  '/entry0000/reconstruction/results/data', // nabu (ESRF)
];

/** Largest block one read asks the library for: its WebAssembly heap holds at most 2 GiB. */
const MAX_BLOCK_BYTES = 32 * 1024 ** 2;
/** Block shape for contiguous (unchunked) datasets. */
const CONTIGUOUS_BLOCK = 64;

export interface Hdf5Options {
  /** Path of the dataset inside the file; chosen by the rules above when absent. */
  dataset?: string | undefined;
  cache?: ChunkCache | undefined;
}

const DTYPES: Record<string, Dtype> = {
  uint8: 'uint8',
  int8: 'int8',
  uint16: 'uint16',
  int16: 'int16',
  uint32: 'uint32',
  int32: 'int32',
  float32: 'float32',
  float64: 'float64',
};

export class Hdf5Volume extends ChunkedVolume {
  readonly format: string;

  private constructor(
    path: string,
    private readonly file: H5.File,
    private readonly dataset: H5.Dataset,
    readonly datasetPath: string,
    readonly shape: Vec3,
    readonly dtype: Dtype,
    readonly chunkShape: Vec3,
    readonly voxelSize: Vec3,
    readonly unit: string,
    format: string,
    cache?: ChunkCache,
  ) {
    super(path, cache);
    this.format = format;
  }

  static async open(path: string, options: Hdf5Options = {}): Promise<Hdf5Volume> {
    const file = await openFile(path);
    try {
      const datasetPath = options.dataset ?? chooseDataset(file, path);
      const dataset = getDataset(file, path, datasetPath);
      const shape = dataset.shape ?? [];
      const where = `${path}: dataset ${datasetPath}`;
      if (shape.length !== 3)
        throw fileProblem(
          path,
          `dataset ${datasetPath} is ${shape.length === 0 ? 'a scalar' : `${shape.length}D (${shape.join('×')})`}, not a 3D volume${listing(file, path)}`,
        );
      const meta = dataset.metadata;
      const dtype = DTYPES[describeType(meta)];
      if (!dtype) throw unsupported(`${where}`, `data type ${describeType(meta)}`);
      checkVolumeSize(`${where}`, shape, bytesPerElement(dtype));
      checkFilters(path, datasetPath, dataset);
      await checkVirtualSources(path, datasetPath, meta.virtual_sources ?? []);
      checkReadable(path, datasetPath, dataset, shape.length);
      const [voxelSize, unit] = voxelSizeOf(file, datasetPath, shape as Vec3);
      const isVirtual = (meta.virtual_sources?.length ?? 0) > 0;
      const chunkShape = blockShape(shape as Vec3, meta.chunks, bytesPerElement(dtype));
      const format = `HDF5 ${datasetPath}${isVirtual ? ' (virtual)' : ''}`;
      return new Hdf5Volume(
        path,
        file,
        dataset,
        datasetPath,
        shape as Vec3,
        dtype,
        chunkShape,
        voxelSize,
        unit,
        format,
        options.cache,
      );
    } catch (error) {
      closeQuietly(file);
      throw error;
    }
  }

  protected async loadChunk(index: Vec3): Promise<Chunk> {
    const start = index.map((i, a) => i * this.chunkShape[a]!) as Vec3;
    const shape = start.map((s, a) => Math.min(this.chunkShape[a]!, this.shape[a]! - s)) as Vec3;
    const ranges = start.map((s, a) => [s, s + shape[a]!] as [number, number]);
    const data = quietly(this.path, `dataset ${this.datasetPath}: block at ${start.join(',')} cannot be read`, () =>
      this.dataset.slice(ranges),
    );
    if (!data || typeof data !== 'object' || !('length' in data) || data.length !== shape[0] * shape[1] * shape[2])
      throw fileProblem(this.path, `dataset ${this.datasetPath}: block at ${start.join(',')} came back incomplete`);
    // The library returns a copy out of its heap, of the dataset's type: kept as it is.
    if (ArrayBuffer.isView(data) && dtypeOf(data as TypedArray) === this.dtype)
      return { data: data as TypedArray, shape };
    const out = allocate(this.dtype, data.length);
    out.set(data as ArrayLike<number> as never);
    return { data: out, shape };
  }

  override async close(): Promise<void> {
    await super.close();
    closeQuietly(this.file);
  }
}

/**
 * HDF5's own filters (deflate 1, shuffle 2, fletcher32 3, szip 4, nbit 5, scale-offset 6) and
 * those of h5wasm-plugins: bzip2 307, LZF 32000, Blosc 32001, LZ4 32004, bitshuffle 32008, ZFP
 * 32013, Zstd 32015, JPEG 32019, BitGroom 32022, BitRound 32023, Blosc2 32026.
 */
const FILTERS = new Set([1, 2, 3, 4, 5, 6, 307, 32000, 32001, 32004, 32008, 32013, 32015, 32019, 32022, 32023, 32026]);

/**
 * Refuses a filter we have no decoder for. Checked by id, not by trying: HDF5 silently skips a
 * filter written as optional when it is missing, and would hand back compressed bytes as voxels.
 */
function checkFilters(path: string, datasetPath: string, dataset: H5.Dataset): void {
  const filters = quietly(path, `dataset ${datasetPath}: its filters cannot be read`, () => dataset.filters);
  const missing = filters.filter((f) => !FILTERS.has(f.id));
  if (missing.length > 0)
    throw unsupported(
      `${path}: dataset ${datasetPath}`,
      missing.map((f) => `the ${f.name || 'unnamed'} filter (HDF5 filter id ${f.id})`).join(', '),
    );
}

/**
 * A virtual dataset whose source file is missing reads as fill values without a word from HDF5:
 * refused instead. Sources resolve as HDF5 resolves them, relative to the virtual dataset's file.
 */
async function checkVirtualSources(path: string, datasetPath: string, sources: { file_name: string }[]): Promise<void> {
  const files = [...new Set(sources.map((s) => s.file_name))].filter((f) => f !== '.');
  for (const file of files) {
    const where = isAbsolute(file) ? file : join(dirname(path), file);
    const found = await stat(where).then(
      (info) => info.isFile(),
      () => false,
    );
    if (!found)
      throw fileProblem(
        path,
        `dataset ${datasetPath} is virtual and its source file ${file} is missing (looked for ${where})`,
      );
  }
}

/**
 * Reads one voxel, so a filter the library lacks (or a damaged first chunk) is refused at open, in
 * words, rather than on the first slice: "the foo filter (HDF5 filter id 32099) is not available".
 */
function checkReadable(path: string, datasetPath: string, dataset: H5.Dataset, rank: number): void {
  const { error, stack } = captured(() =>
    dataset.slice(Array.from({ length: rank }, () => [0, 1] as [number, number])),
  );
  if (error === undefined) return;
  const where = `${path}: dataset ${datasetPath}`;
  const reason = reasonOf(stack, error);
  if (/filter|plugin|dynamic library/i.test(reason)) {
    const filters = captured(() => dataset.filters).result ?? [];
    const names = filters.map((f) => `${f.name || 'unnamed'} (HDF5 filter id ${f.id})`).join(', ');
    throw unsupported(where, `a compression filter of ${names || 'this dataset'} (${reason})`);
  }
  throw fileProblem(path, `dataset ${datasetPath} cannot be read (${reason})`);
}

/** Opens a file for reading, with errors that name it (missing, not HDF5, truncated). */
async function openFile(path: string): Promise<H5.File> {
  const info = await stat(path).catch((error: unknown) => {
    throw explain(path, error);
  });
  if (!info.isFile()) throw fileProblem(path, 'is not a file');
  const h5 = await h5wasm();
  const { result, stack, error } = captured(() => new h5.File(path, 'r'));
  if (error !== undefined || !result || result.file_id < 0n)
    throw fileProblem(path, `cannot be opened as HDF5 (${reasonOf(stack, error ?? 'not an HDF5 file')})`);
  return result;
}

function closeQuietly(file: H5.File): void {
  captured(() => file.close());
}

function getDataset(file: H5.File, path: string, datasetPath: string): H5.Dataset {
  const entity = captured(() => file.get(datasetPath));
  const found = entity.result;
  if (!found)
    throw fileProblem(
      path,
      `has no dataset ${datasetPath}${entity.error || entity.stack ? ` (${reasonOf(entity.stack, entity.error)})` : ''}${listing(file, path)}`,
    );
  if (kindOf(found) !== 'Dataset')
    throw fileProblem(path, `${datasetPath} is a ${kindOf(found).toLowerCase()}, not a dataset${listing(file, path)}`);
  return found as H5.Dataset;
}

/** "; its 3D datasets: ..." for error messages. */
function listing(file: H5.File, path: string): string {
  const volumes = volumesOf(file, path);
  return volumes.length === 0
    ? '; the file has no 3D dataset'
    : `; its 3D datasets: ${volumes.map(describe).join(', ')}`;
}

export const describe = (d: DatasetInfo): string => `${d.path} (${d.shape.join('×')} ${d.dtype})`;

function volumesOf(file: H5.File, path: string): DatasetInfo[] {
  return walkDatasets(file, path).filter((d) => d.shape.length === 3);
}

/** The dataset to read when none is named (see the top of this file). */
function chooseDataset(file: H5.File, path: string): string {
  const nexus = nexusDefault(file);
  if (nexus && isVolume(file, nexus)) return nexus;
  for (const known of KNOWN_PATHS) if (isVolume(file, known)) return known;
  const volumes = volumesOf(file, path);
  if (volumes.length === 1) return volumes[0]!.path;
  if (volumes.length === 0) {
    const all = walkDatasets(file, path);
    throw fileProblem(
      path,
      `has no 3D dataset to open${all.length ? `; its datasets: ${all.slice(0, 20).map(describe).join(', ')}${all.length > 20 ? ', ...' : ''}` : ' (it holds no datasets)'}`,
    );
  }
  throw fileProblem(
    path,
    `has ${volumes.length} 3D datasets and no NeXus default: pick one with --dataset PATH (CLI) or the dataset option: ${volumes.map(describe).join(', ')}`,
  );
}

function isVolume(file: H5.File, datasetPath: string): boolean {
  const found = captured(() => file.get(datasetPath)).result;
  return !!found && kindOf(found) === 'Dataset' && (found as H5.Dataset).shape?.length === 3;
}

/** Follows NeXus `default` attributes from the root to an NXdata group, then its `signal`. */
export function nexusDefault(file: H5.File): string | undefined {
  let group = '';
  let node: H5.Group = file;
  // Root → entry → (subentry →) NXdata: a few steps at most.
  for (let step = 0; step < 4; step++) {
    const signal = stringAttribute(node, 'signal');
    if (signal) return `${group}/${signal}`;
    const next = stringAttribute(node, 'default');
    if (!next) return undefined;
    group = `${group}/${next}`;
    const child = captured(() => file.get(group)).result;
    if (!child || kindOf(child) !== 'Group') return undefined;
    node = child as H5.Group;
  }
  return undefined;
}

function stringAttribute(node: H5.Group | H5.Dataset, name: string): string | undefined {
  const value = captured(() => (name in node.attrs ? node.attrs[name]!.value : undefined)).result;
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first.length > 0 ? first : undefined;
}

function numberAttribute(node: H5.Group | H5.Dataset, name: string): number | undefined {
  const value = captured(() => (name in node.attrs ? node.attrs[name]!.value : undefined)).result;
  const first = ArrayBuffer.isView(value)
    ? (value as unknown as ArrayLike<number>)[0]
    : Array.isArray(value)
      ? value[0]
      : value;
  const n = typeof first === 'bigint' ? Number(first) : first;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/**
 * Voxel size (z, y, x) from NeXus: the NXdata group's `axes` (one name per dimension, each a 1D
 * coordinate dataset with `units`), spacing = step between the first two coordinates; or the
 * dataset's own `voxel_size` attribute (scalar or 3 values) with `units`. Else 1 and no unit.
 */
function voxelSizeOf(file: H5.File, datasetPath: string, shape: Vec3): [Vec3, string] {
  const none: [Vec3, string] = [[1, 1, 1], ''];
  const parentPath = datasetPath.slice(0, datasetPath.lastIndexOf('/')) || '/';
  const parent = captured(() => file.get(parentPath)).result;
  const dataset = captured(() => file.get(datasetPath)).result as H5.Dataset | null | undefined;
  if (parent && kindOf(parent) === 'Group') {
    const group = parent as H5.Group;
    const axes = captured(() => ('axes' in group.attrs ? group.attrs.axes!.value : undefined)).result;
    const names = (Array.isArray(axes) ? axes : typeof axes === 'string' ? axes.split(/[:,]/) : []).map((a) =>
      String(a).trim(),
    );
    if (names.length === 3 && names.every((n) => n && n !== '.')) {
      const sizes: number[] = [];
      const units = new Set<string>();
      for (let a = 0; a < 3; a++) {
        const axis = captured(() => group.get(names[a]!)).result;
        if (!axis || kindOf(axis) !== 'Dataset') return none;
        const ds = axis as H5.Dataset;
        if (ds.shape?.length !== 1 || ds.shape[0] !== shape[a] || shape[a]! < 2) return none;
        const values = captured(() => ds.slice([[0, 2]])).result as ArrayLike<number> | null | undefined;
        if (!values || values.length !== 2) return none;
        sizes.push(Math.abs(Number(values[1]) - Number(values[0])));
        units.add(stringAttribute(ds, 'units') ?? '');
      }
      if (sizes.every((s) => s > 0 && Number.isFinite(s)) && units.size === 1) return [sizes as Vec3, [...units][0]!];
      return none;
    }
  }
  if (dataset && kindOf(dataset) === 'Dataset') {
    const value = captured(() => ('voxel_size' in dataset.attrs ? dataset.attrs.voxel_size!.value : undefined)).result;
    const list = ArrayBuffer.isView(value) ? Array.from(value as unknown as ArrayLike<number>, Number) : [];
    const single = numberAttribute(dataset, 'voxel_size');
    const size = list.length === 3 ? list : single !== undefined ? [single, single, single] : undefined;
    if (size && size.every((s) => s > 0 && Number.isFinite(s)))
      return [size as Vec3, stringAttribute(dataset, 'units') ?? stringAttribute(dataset, 'voxel_size_units') ?? ''];
  }
  return none;
}

/** The read unit: the HDF5 chunk (split where huge), or blocks of 64³ for contiguous data. */
function blockShape(shape: Vec3, chunks: number[] | null, bytes: number): Vec3 {
  const block = (
    chunks && chunks.length === 3 ? [...chunks] : [CONTIGUOUS_BLOCK, CONTIGUOUS_BLOCK, CONTIGUOUS_BLOCK]
  ).map((c, a) => Math.max(1, Math.min(c, shape[a]!)));
  // Halve the largest side until a block fits the bound (one huge chunk is still read piecewise).
  while (block[0]! * block[1]! * block[2]! * bytes > MAX_BLOCK_BYTES) {
    const a = block.indexOf(Math.max(...block));
    block[a] = Math.ceil(block[a]! / 2);
  }
  return block as Vec3;
}

/** The 3D datasets of a file, and the one that opens by default (or why none does). */
export async function listHdf5Volumes(
  path: string,
): Promise<{ volumes: DatasetInfo[]; chosen?: string; why?: string }> {
  const file = await openFile(path);
  try {
    const volumes = volumesOf(file, path);
    try {
      return { volumes, chosen: chooseDataset(file, path) };
    } catch (error) {
      return { volumes, why: error instanceof Error ? error.message : String(error) };
    }
  } finally {
    closeQuietly(file);
  }
}

export const openHdf5 = (path: string, options: Hdf5Options = {}): Promise<Hdf5Volume> =>
  Hdf5Volume.open(path, options);
