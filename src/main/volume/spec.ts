import { badInput } from '../../shared/errors';
import { DTYPES, type Dtype, type Region, type TypedArray, type Vec3, dtypeOf, voxelCount } from '../../shared/volume';
import type { ProgressOptions } from '../progress';

/** What a new volume will hold. */
export interface VolumeSpec {
  shape: Vec3;
  dtype: Dtype;
  voxelSize?: Vec3;
  /** OME/UDUNITS name, e.g. "micrometer"; empty when unknown. */
  unit?: string;
  /** Channels, e.g. one probability map per class; 1 by default. */
  channels?: number;
  channelNames?: string[];
  /** Label images are downsampled by picking, not averaging, and carry label colours. */
  kind?: 'image' | 'labels';
  /** Colours of label values (OME-Zarr image-label); a default palette otherwise. */
  labelColors?: { value: number; rgba: [number, number, number, number] }[];
  /** Replace an existing file or folder at the destination. */
  force?: boolean;
  /** Zarr only: chunk size (z, y, x), 64³ by default; even wherever the volume spans several chunks. */
  chunkShape?: Vec3;
  /** Zarr only: chunk compression, gzip by default (decoded off the main thread when browsing). */
  compression?: 'blosc' | 'zstd' | 'gzip' | 'none';
}

/**
 * Where regions of voxels are written: a file being written (VolumeWriter), a segment-all result
 * being stored, or a worker's channel back to them. Predictions stream into one.
 */
export interface RegionWriter {
  /** Writes `data` (C order, `region.shape`) into one channel (0 by default). */
  write(region: Region, data: TypedArray, channel?: number): Promise<void>;
}

/** A volume being written. Nothing appears at `path` until `commit` succeeds. */
export interface VolumeWriter extends RegionWriter {
  readonly path: string;
  readonly spec: VolumeSpec;
  /** Finishes the volume (pyramid, metadata) and moves it into place. */
  commit(options?: ProgressOptions): Promise<void>;
  /** Deletes everything written so far. */
  abort(): Promise<void>;
}

/** Rejects a write that does not fit the volume being written, naming the problem. */
export function checkWrite(path: string, spec: VolumeSpec, region: Region, data: TypedArray, channel: number): void {
  const channels = spec.channels ?? 1;
  if (!Number.isInteger(channel) || channel < 0 || channel >= channels)
    throw badInput(`${path}: channel ${channel} is outside 0..${channels - 1}`);
  if (dtypeOf(data) !== spec.dtype) throw badInput(`${path}: data is ${dtypeOf(data)} but the volume is ${spec.dtype}`);
  if (data.length !== voxelCount(region.shape))
    throw badInput(`${path}: ${data.length} values do not fill a ${region.shape.join('×')} region`);
  for (let a = 0; a < 3; a++)
    if (region.start[a]! < 0 || region.shape[a]! < 1 || region.start[a]! + region.shape[a]! > spec.shape[a]!)
      throw badInput(
        `${path}: region start ${region.start.join(',')} shape ${region.shape.join(',')} is outside ${spec.shape.join('×')}`,
      );
}

export function checkSpec(path: string, spec: VolumeSpec): void {
  if (!spec.shape.every((n) => Number.isInteger(n) && n > 0))
    throw badInput(`${path}: shape ${spec.shape.join('×')} must be positive integers`);
  if (!DTYPES.includes(spec.dtype)) throw badInput(`${path}: unsupported data type ${String(spec.dtype)}`);
  const channels = spec.channels ?? 1;
  if (!Number.isInteger(channels) || channels < 1) throw badInput(`${path}: channels must be a positive integer`);
  if (spec.channelNames && spec.channelNames.length !== channels)
    throw badInput(`${path}: ${spec.channelNames.length} channel names for ${channels} channels`);
}
