// Creates a volume for writing, by the destination's extension.
import { fileProblem } from './errors';
import type { VolumeSpec, VolumeWriter } from './spec';
import { createTiff } from './tiff/writer';
import { createOmeZarr } from './zarr/writer';

/**
 * `.tif`/`.tiff`: ImageJ-compatible TIFF stack; `.zarr`: OME-Zarr 0.5 with a pyramid;
 * `image.zarr/labels/<name>`: a label image of that OME-Zarr image.
 */
export function createVolume(path: string, spec: VolumeSpec): Promise<VolumeWriter> {
  if (/\.tiff?$/i.test(path)) return createTiff(path, spec);
  if (/\.zarr$/i.test(path) || /\.zarr[/\\]labels[/\\][^/\\]+$/i.test(path)) return createOmeZarr(path, spec);
  return Promise.reject(fileProblem(path, 'unknown output format: the name must end in .tif, .tiff or .zarr'));
}
