// The training samples: basis responses at the chosen labelled voxels (and at unlabelled context
// voxels), and views of them by rows (the folds of a cross-validation) or by scales (a candidate
// basis read out of the responses of a larger one, without filtering again).
import { CHANNELS_PER_SCALE } from './basis';

/** Basis responses of the chosen labelled voxels: rows × (scales × CHANNELS_PER_SCALE). */
export interface Samples {
  rows: Float64Array;
  classes: Uint8Array; // class index 0..K-1
  /** C-order linear index of each row's voxel. */
  positions: Float64Array;
  count: number;
  /** Basis responses of a random sample of all voxels around the labels, labelled or not: `context.length / width` rows. */
  context: Float64Array;
}

/** The rows of `samples` for which `keep(row)` holds (context unchanged). */
export function selectRows(samples: Samples, width: number, keep: (row: number) => boolean): Samples {
  const picked: number[] = [];
  for (let r = 0; r < samples.count; r++) if (keep(r)) picked.push(r);
  const rows = new Float64Array(picked.length * width);
  picked.forEach((r, i) => rows.set(samples.rows.subarray(r * width, (r + 1) * width), i * width));
  return {
    rows,
    classes: Uint8Array.from(picked, (r) => samples.classes[r]!),
    positions: Float64Array.from(picked, (r) => samples.positions[r]!),
    count: picked.length,
    context: samples.context,
  };
}

/**
 * The responses of the basis at `scales`, read out of samples gathered at `all` (which holds every
 * one of `scales`): each scale's channels are computed on their own, so they are the same either way.
 */
export function selectScales(samples: Samples, all: readonly number[], scales: readonly number[]): Samples {
  const C = CHANNELS_PER_SCALE;
  const from = scales.map((s) => {
    const index = all.indexOf(s);
    if (index < 0) throw new RangeError(`scale ${s} was not gathered`);
    return index;
  });
  const pick = (source: Float64Array): Float64Array => {
    const n = source.length / (all.length * C);
    const out = new Float64Array(n * scales.length * C);
    for (let r = 0; r < n; r++)
      from.forEach((index, s) =>
        out.set(
          source.subarray((r * all.length + index) * C, (r * all.length + index + 1) * C),
          (r * scales.length + s) * C,
        ),
      );
    return out;
  };
  return { ...samples, rows: pick(samples.rows), context: pick(samples.context) };
}
