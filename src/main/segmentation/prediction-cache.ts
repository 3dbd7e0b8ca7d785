// The current model's predictions of the slices the views show, so scrolling back is free: kept
// per slice, the most recently read last, the oldest dropped beyond `size`. A new model clears it.
// A prediction is cached while it runs (two reads of one slice share it); a failed one is not kept.
import type { Axis } from '../../shared/volume';

export class PredictionCache<T> {
  private readonly slices = new Map<string, Promise<T>>();

  constructor(private readonly size: number) {}

  /** The cached prediction of a slice, or the one `predict` makes now. */
  get(axis: Axis, index: number, predict: () => Promise<T>): Promise<T> {
    const key = `${axis}:${index}`;
    let slice = this.slices.get(key);
    if (slice)
      this.slices.delete(key); // re-inserted below as the most recent
    else {
      const predicted = predict().catch((error: unknown) => {
        if (this.slices.get(key) === predicted) this.slices.delete(key);
        throw error;
      });
      slice = predicted;
    }
    this.slices.set(key, slice);
    while (this.slices.size > this.size) this.slices.delete(this.slices.keys().next().value!);
    return slice;
  }

  clear(): void {
    this.slices.clear();
  }
}
