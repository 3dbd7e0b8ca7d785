// Slices on demand: each view asks for the slice it should show; the source fetches it (never the
// whole volume), keeps a byte-bounded cache, prefetches the neighbours, and tells React when a
// view's newest wanted slice has arrived. One source per kind of slice (image, labels).
//
// A volume with a pyramid is read at the level the view needs (see shared/pyramid): while an
// uncached slice loads, the same slice of a small coarse level stands in for it.
import type { VolumeLevel } from '../../../shared/api';
import { levelFactors, levelForPixel, levelIndex, previewLevel } from '../../../shared/pyramid';
import type { Axis, Region, Vec3 } from '../../../shared/volume';
import { axisIndex } from '../../../shared/volume';
import { LruCache } from '../lib/lru-cache';

export interface ShownSlice<S> {
  volumeId: string;
  axis: Axis;
  /** Full-resolution index of the slice asked for. */
  index: number;
  slice: S;
  /** The pyramid level `slice` comes from (0: full resolution) ... */
  level: number;
  /** ... and how many full-resolution voxels each of its voxels spans along z, y, x. */
  factor: Vec3;
}

/** Reads slice `index` (in the coordinates of `level`) perpendicular to `axis`. */
export type ReadSlice<S> = (volumeId: string, axis: Axis, index: number, level: number) => Promise<S>;

interface Wanted {
  volumeId: string;
  axis: Axis;
  index: number;
  extent: number;
  level: number;
}

const DEFAULT_CACHE_BYTES = 96 * 1024 * 1024;
const FULL_RESOLUTION: Vec3 = [1, 1, 1];

export class SliceSource<S extends { data: ArrayBufferView }> {
  private readonly cache: LruCache<S>;
  private readonly inflight = new Map<string, Promise<S>>();
  /** Per volume and axis: the slice on screen and the one wanted next. */
  private readonly shown = new Map<string, ShownSlice<S>>();
  private readonly wanted = new Map<string, Wanted>();
  /** Pyramid levels of volumes that have more than one, with each level's factor (see ShownSlice). */
  private readonly pyramids = new Map<string, { levels: VolumeLevel[]; factors: Vec3[] }>();
  private readonly listeners = new Set<() => void>();
  /** Bumped when cached slices go stale, so answers to older requests are dropped. */
  private generation = 0;
  private readonly prefetch: boolean;

  /** `prefetch`: also load the neighbours of a shown slice (off where a slice costs a computation, e.g. a prediction). */
  constructor(
    private readonly read: ReadSlice<S>,
    private readonly onError: (error: unknown, axis: Axis, index: number) => void,
    { maxBytes = DEFAULT_CACHE_BYTES, prefetch = true }: { maxBytes?: number; prefetch?: boolean } = {},
  ) {
    this.cache = new LruCache(maxBytes, (slice) => slice.data.byteLength);
    this.prefetch = prefetch;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Tells the source a volume's pyramid levels (full resolution first); without, it reads level 0 only. */
  setLevels(volumeId: string, levels: VolumeLevel[]): void {
    if (levels.length > 1) this.pyramids.set(volumeId, { levels, factors: levelFactors(levels) });
    else this.pyramids.delete(volumeId);
  }

  /** The level worth reading for a view that shows `pixelSize` physical units per screen pixel. */
  levelFor(volumeId: string, axis: Axis, pixelSize: number): number {
    const pyramid = this.pyramids.get(volumeId);
    return pyramid ? levelForPixel(pyramid.levels, axis, pixelSize) : 0;
  }

  /** The slice a view shows now: the wanted one once loaded, until then a coarse stand-in or the previous one. */
  shownSlice(volumeId: string, axis: Axis): ShownSlice<S> | undefined {
    return this.shown.get(`${volumeId}:${axis}`);
  }

  /**
   * Makes `index` (full resolution) at `level` the slice the view of `axis` should show; resolves
   * once it does (or failed).
   */
  show(volumeId: string, axis: Axis, index: number, extent: number, level = 0): Promise<void> {
    const view = `${volumeId}:${axis}`;
    const wanted: Wanted = { volumeId, axis, index, extent, level };
    this.wanted.set(view, wanted);
    const display = (slice: S, shownLevel: number): void => {
      if (this.wanted.get(view) !== wanted) return;
      const factor = this.factor(volumeId, shownLevel);
      this.shown.set(view, { volumeId, axis, index, slice, level: shownLevel, factor });
      for (const listener of this.listeners) listener();
    };
    const pyramid = this.pyramids.get(volumeId);
    const preview = pyramid ? previewLevel(pyramid.levels, axis) : 0;
    let arrived = false;
    if (preview > level && !this.cache.get(this.key(volumeId, axis, index, level)))
      this.load(volumeId, axis, index, preview).then(
        (slice) => {
          // A stand-in only where it adds: not over this slice already shown at least as fine.
          const current = this.shown.get(view);
          const finer = current?.index === index && current.level <= preview;
          if (!arrived && !finer) display(slice, preview);
        },
        () => undefined,
      );
    return this.load(volumeId, axis, index, level).then(
      (slice) => {
        arrived = true;
        if (this.wanted.get(view) !== wanted) return;
        display(slice, level);
        // Neighbours next (at this level), so that stepping through slices rarely waits.
        const step = Math.ceil(this.factor(volumeId, level)[axisIndex(axis)]);
        if (this.prefetch)
          for (const next of [index + step, index - step])
            if (next >= 0 && next < extent) this.load(volumeId, axis, next, level).catch(() => undefined);
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
    this.cache.deleteWhere((key) => {
      const [id, axis, level, index] = key.split(':') as [string, Axis, string, string];
      if (id !== volumeId) return false;
      if (!region) return true;
      const a = axisIndex(axis);
      const factor = this.factor(volumeId, Number(level))[a];
      const low = Number(index) * factor;
      return low < region.start[a] + region.shape[a] && low + factor > region.start[a];
    });
    const views = [...this.wanted.values()].filter((wanted) => wanted.volumeId === volumeId);
    await Promise.all(views.map((w) => this.show(w.volumeId, w.axis, w.index, w.extent, w.level)));
  }

  /** Forgets everything of a closed volume. */
  forget(volumeId: string): void {
    const ofVolume = (key: string): boolean => key.startsWith(`${volumeId}:`);
    this.cache.deleteWhere(ofVolume);
    for (const key of [...this.shown.keys()]) if (ofVolume(key)) this.shown.delete(key);
    for (const key of [...this.wanted.keys()]) if (ofVolume(key)) this.wanted.delete(key);
    this.pyramids.delete(volumeId);
  }

  private factor(volumeId: string, level: number): Vec3 {
    return this.pyramids.get(volumeId)?.factors[level] ?? FULL_RESOLUTION;
  }

  /** Slices of a coarse level are shared by the full-resolution indices they span. */
  private key(volumeId: string, axis: Axis, index: number, level: number): string {
    return `${volumeId}:${axis}:${level}:${this.indexAt(volumeId, axis, index, level)}`;
  }

  private indexAt(volumeId: string, axis: Axis, index: number, level: number): number {
    const pyramid = this.pyramids.get(volumeId);
    if (!pyramid || level === 0) return index;
    const a = axisIndex(axis);
    return levelIndex(index, pyramid.factors[level]![a], pyramid.levels[level]!.shape[a]);
  }

  private load(volumeId: string, axis: Axis, index: number, level: number): Promise<S> {
    const key = this.key(volumeId, axis, index, level);
    const cached = this.cache.get(key);
    if (cached) return Promise.resolve(cached);
    let request = this.inflight.get(key);
    if (!request) {
      const generation = this.generation;
      request = this.read(volumeId, axis, this.indexAt(volumeId, axis, index, level), level).then((slice) => {
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
