// Slices on demand: each view asks for the slice it should show; the source fetches it (never the
// whole volume), keeps a byte-bounded cache, prefetches the neighbours, and tells React when a
// view's newest wanted slice has arrived. One source per kind of slice (image, labels).
import type { Axis, Region } from '../../../shared/volume';
import { axisIndex } from '../../../shared/volume';
import { LruCache } from '../lib/lru-cache';

export interface ShownSlice<S> {
  volumeId: string;
  axis: Axis;
  index: number;
  slice: S;
}

export type ReadSlice<S> = (volumeId: string, axis: Axis, index: number) => Promise<S>;

const DEFAULT_CACHE_BYTES = 96 * 1024 * 1024;

export class SliceSource<S extends { data: ArrayBufferView }> {
  private readonly cache: LruCache<S>;
  private readonly inflight = new Map<string, Promise<S>>();
  /** Per volume and axis: the slice on screen and the index wanted next. */
  private readonly shown = new Map<string, ShownSlice<S>>();
  private readonly wanted = new Map<string, { volumeId: string; axis: Axis; index: number; extent: number }>();
  private readonly listeners = new Set<() => void>();
  /** Bumped when cached slices go stale, so answers to older requests are dropped. */
  private generation = 0;

  /** `prefetch`: also load the neighbours of a shown slice (off where a slice costs a computation, e.g. a prediction). */
  constructor(
    private readonly read: ReadSlice<S>,
    private readonly onError: (error: unknown, axis: Axis, index: number) => void,
    { maxBytes = DEFAULT_CACHE_BYTES, prefetch = true }: { maxBytes?: number; prefetch?: boolean } = {},
  ) {
    this.cache = new LruCache(maxBytes, (slice) => slice.data.byteLength);
    this.prefetch = prefetch;
  }

  private readonly prefetch: boolean;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The slice a view shows now: the wanted one once loaded, until then the previous one. */
  shownSlice(volumeId: string, axis: Axis): ShownSlice<S> | undefined {
    return this.shown.get(`${volumeId}:${axis}`);
  }

  /** Makes `index` the slice the view of `axis` should show; resolves once it does (or failed). */
  show(volumeId: string, axis: Axis, index: number, extent: number): Promise<void> {
    const view = `${volumeId}:${axis}`;
    const wanted = { volumeId, axis, index, extent };
    this.wanted.set(view, wanted);
    return this.load(volumeId, axis, index).then(
      (slice) => {
        if (this.wanted.get(view) !== wanted) return;
        this.shown.set(view, { volumeId, axis, index, slice });
        for (const listener of this.listeners) listener();
        // Neighbours next, so that stepping through slices rarely waits.
        if (this.prefetch)
          for (const next of [index + 1, index - 1])
            if (next >= 0 && next < extent) this.load(volumeId, axis, next).catch(() => undefined);
      },
      (error: unknown) => {
        if (this.wanted.get(view) === wanted) this.onError(error, axis, index);
      },
    );
  }

  /** Drops cached slices that cross `region` (all of the volume's when absent) and reloads the views. */
  async invalidate(volumeId: string, region?: Region): Promise<void> {
    this.generation++;
    this.inflight.clear();
    for (const axis of ['z', 'y', 'x'] as const) {
      const a = axisIndex(axis);
      const low = region ? region.start[a] : 0;
      const high = region ? region.start[a] + region.shape[a] : Infinity;
      this.cache.deleteWhere((key) => {
        const [id, keyAxis, index] = key.split(':');
        return id === volumeId && keyAxis === axis && Number(index) >= low && Number(index) < high;
      });
    }
    const views = [...this.wanted.values()].filter((wanted) => wanted.volumeId === volumeId);
    await Promise.all(views.map((wanted) => this.show(wanted.volumeId, wanted.axis, wanted.index, wanted.extent)));
  }

  /** Forgets everything of a closed volume. */
  forget(volumeId: string): void {
    this.cache.deleteWhere((key) => key.startsWith(`${volumeId}:`));
    for (const key of [...this.shown.keys()]) if (key.startsWith(`${volumeId}:`)) this.shown.delete(key);
    for (const key of [...this.wanted.keys()]) if (key.startsWith(`${volumeId}:`)) this.wanted.delete(key);
  }

  private load(volumeId: string, axis: Axis, index: number): Promise<S> {
    const key = `${volumeId}:${axis}:${index}`;
    const cached = this.cache.get(key);
    if (cached) return Promise.resolve(cached);
    let request = this.inflight.get(key);
    if (!request) {
      const generation = this.generation;
      request = this.read(volumeId, axis, index).then((slice) => {
        if (generation === this.generation) this.cache.set(key, slice);
        return slice;
      });
      const settled = (): void => {
        if (this.inflight.get(key) === request) this.inflight.delete(key);
      };
      request.then(settled, settled);
      this.inflight.set(key, request);
    }
    return request;
  }
}
