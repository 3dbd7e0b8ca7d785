// The volume layer: open any supported format as a Volume, create TIFF or OME-Zarr outputs,
// convert to OME-Zarr. Everything reads and writes chunk by chunk in bounded memory.
export type { Volume, VolumeMeta, WritableVolume, LevelInfo } from './volume';
export { openVolume, type OpenOptions } from './open';
export type { RawLayout } from './raw';
export { createVolume } from './create';
export type { RegionWriter, VolumeSpec, VolumeWriter } from './spec';
export { importToZarr, type ImportOptions } from './import';
export { ChunkCache, sharedCache, DEFAULT_CACHE_BYTES } from './cache';
export { estimateRange } from './statistics';
