// A model's slice (prediction or segment-all result) in the form the slice sources cache: one
// buffer holding the classes and, for a prediction, the uncertainty after them.
import type { PredictionSlice, SegmentationSlice } from '../../../shared/api';

export interface ModelSlice {
  width: number;
  height: number;
  /** 0 when there is no model (or no result) yet. */
  modelVersion: number;
  /** Classes then uncertainty: what the cache counts. */
  data: Uint8Array;
  classes: Uint8Array;
  /** Empty for a segment-all result. */
  uncertainty: Uint8Array;
}

export function modelSlice(slice: PredictionSlice | SegmentationSlice | null): ModelSlice {
  if (!slice) {
    const empty = new Uint8Array(0);
    return { width: 0, height: 0, modelVersion: 0, data: empty, classes: empty, uncertainty: empty };
  }
  const n = slice.classes.length;
  const uncertainty = 'uncertainty' in slice ? slice.uncertainty : new Uint8Array(0);
  const data = new Uint8Array(n + uncertainty.length);
  data.set(slice.classes);
  data.set(uncertainty, n);
  return {
    width: slice.width,
    height: slice.height,
    modelVersion: slice.modelVersion,
    data,
    classes: data.subarray(0, n),
    uncertainty: data.subarray(n),
  };
}
