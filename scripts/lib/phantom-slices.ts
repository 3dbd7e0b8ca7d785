import type { PhantomKind } from '../../src/main/phantoms';

/**
 * The z slices the benchmarks paint a phantom's labels on: for rotated-fibres, three in the first
 * quarter, where the fibres lie along x only (the rest must be reached by rotation invariance);
 * otherwise paintLabels' default.
 */
export const paintedSlices = (kind: PhantomKind, depth: number): number[] | undefined =>
  kind === 'rotated-fibres' ? [Math.floor(depth / 16), Math.floor(depth / 8), Math.floor((3 * depth) / 16)] : undefined;
