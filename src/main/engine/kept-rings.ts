// The smoothed scales of recently previewed slices, so that the preview of the same slice after a
// retrain (same basis and normalisation, another network) skips the smoothing, about half of its
// time. In shared memory: the prediction workers fill and read them without copies. Bounded in
// bytes; the least recently used go first.
import type { Region } from '../../shared/volume';
import { type Volume, dataIdOf } from '../volume/volume';
import type { AxisOrder, KeptRings } from './block-predict';
import type { Model } from './model';
import { TEXTURE_CHANNELS } from './texture';

/** About 10 previews of 512×512 slices at the default four scales. */
const BUDGET_BYTES = 128 * 2 ** 20;

const kept = new Map<string, KeptRings & { bytes: number }>();
let keptBytes = 0;

/**
 * The kept rings of `region` (a slice: one voxel thick) as `model` smooths it: filled ones to
 * use as they are, or new ones to fill, kept from then on if `filled` is set once they are.
 * Undefined for thicker regions, or while the same rings are still being filled.
 */
export function keptRings(
  volume: Volume,
  region: Region,
  model: Model,
  halo: number,
  axisOrder: AxisOrder,
): KeptRings | undefined {
  if (Math.min(...region.shape) > 1) return undefined;
  const { scales, aspect, texture = [] } = model.basis;
  const key = JSON.stringify([dataIdOf(volume), region, halo, axisOrder, scales, aspect, texture, model.normalisation]);
  const found = kept.get(key);
  if (found) {
    if (!found.filled) return undefined;
    kept.delete(key); // to the back: most recently used
    kept.set(key, found);
    return found;
  }
  const voxels = region.shape.reduce((product, n) => product * (n + 2), 1);
  const count = scales.length * (1 + TEXTURE_CHANNELS * texture.length);
  const bytes = count * voxels * Float32Array.BYTES_PER_ELEMENT;
  if (bytes > BUDGET_BYTES) return undefined;
  for (const [oldest, entry] of kept) {
    if (keptBytes + bytes <= BUDGET_BYTES) break;
    kept.delete(oldest);
    keptBytes -= entry.bytes;
  }
  const entry = {
    rings: Array.from(
      { length: count },
      () => new Float32Array(new SharedArrayBuffer(voxels * Float32Array.BYTES_PER_ELEMENT)),
    ),
    filled: false,
    bytes,
  };
  kept.set(key, entry);
  keptBytes += bytes;
  return entry;
}

/** Forgets rings that were not filled (their prediction failed). */
export function dropUnfilled(rings: KeptRings | undefined): void {
  for (const [key, entry] of kept)
    if (entry === rings && !entry.filled) {
      kept.delete(key);
      keptBytes -= entry.bytes;
    }
}
