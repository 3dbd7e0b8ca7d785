// A volume's fingerprint: shape, dtype and a hash of a few small boxes spread through the data.
// The boxes depend on the shape only (not on chunking), so a TIFF and its Zarr copy match.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { cancelled } from '../../shared/errors';
import { DTYPES, type Region, type Vec3 } from '../../shared/volume';
import type { Volume } from '../volume/volume';

const vec3 = z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()]);

export const fingerprintSchema = z.object({
  shape: vec3,
  dtype: z.enum(DTYPES as [string, ...string[]]),
  /** sha256 (hex) of the sampled boxes' bytes, little-endian, in `sampleRegions` order. */
  sampleHash: z.string().regex(/^[0-9a-f]{64}$/),
});
export type Fingerprint = z.infer<typeof fingerprintSchema>;

/** How a candidate volume compares with a project's record of it. */
export type FingerprintMatch = 'same' | 'content-differs' | 'shape-differs';

const SAMPLE: Vec3 = [2, 64, 64];
const POSITIONS = [0, 0.25, 0.5, 0.75, 1];

/** Five boxes of at most 2×64×64 voxels along the volume's diagonal, first and last corner included. */
export function sampleRegions(shape: Vec3): Region[] {
  const size = shape.map((n, a) => Math.min(n, SAMPLE[a]!)) as Vec3;
  return POSITIONS.map((t) => ({ start: shape.map((n, a) => Math.round((n - size[a]!) * t)) as Vec3, shape: size }));
}

export async function fingerprint(volume: Volume, signal?: AbortSignal): Promise<Fingerprint> {
  const hash = createHash('sha256');
  for (const region of sampleRegions(volume.shape)) {
    if (signal?.aborted) throw cancelled();
    const data = await volume.read(region);
    hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return { shape: [...volume.shape], dtype: volume.dtype, sampleHash: hash.digest('hex') };
}

export function compareFingerprints(expected: Fingerprint, actual: Fingerprint): FingerprintMatch {
  if (expected.shape.some((n, a) => n !== actual.shape[a])) return 'shape-differs';
  return expected.dtype === actual.dtype && expected.sampleHash === actual.sampleHash ? 'same' : 'content-differs';
}
