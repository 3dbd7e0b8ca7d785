import type { TypedArray, Vec3 } from '../../shared/volume';

/** A decoded chunk and the layout of its data (edge chunks may be stored at full chunk size). */
export interface Chunk {
  data: TypedArray;
  shape: Vec3;
}

export const DEFAULT_CACHE_BYTES = 256 * 1024 ** 2;

/**
 * Least-recently-used cache of decoded chunks, bounded in bytes, shared by all open volumes so
 * memory stays bounded however many are open. Concurrent requests for one chunk share one load.
 */
export class ChunkCache {
  private readonly entries = new Map<string, Chunk>();
  private readonly loading = new Map<string, Promise<Chunk>>();
  private used = 0;
  /** Requests served from memory and requests that had to load, for benchmarks and tests. */
  readonly stats = { hits: 0, misses: 0 };

  constructor(readonly capacity = DEFAULT_CACHE_BYTES) {}

  get bytes(): number {
    return this.used;
  }

  async get(key: string, load: () => Promise<Chunk>): Promise<Chunk> {
    const hit = this.entries.get(key);
    if (hit) {
      this.stats.hits++;
      // Re-insert to mark it most recently used (Map keeps insertion order).
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const pending = this.loading.get(key);
    if (pending) {
      this.stats.hits++;
      return pending;
    }
    this.stats.misses++;
    const promise = load().then(
      (chunk) => {
        this.loading.delete(key);
        this.put(key, chunk);
        return chunk;
      },
      (error: unknown) => {
        this.loading.delete(key);
        throw error;
      },
    );
    this.loading.set(key, promise);
    return promise;
  }

  /**
   * Like `get` for several chunks that one read serves at once (neighbours in a file): `load`
   * returns them all, in the order of `keys`. Chunks already cached or loading are kept.
   */
  async getRun(keys: string[], load: () => Promise<Chunk[]>): Promise<Chunk[]> {
    if (keys.every((key) => this.entries.has(key) || this.loading.has(key)))
      return Promise.all(keys.map((key) => this.get(key, () => Promise.reject(new Error(`chunk ${key} vanished`)))));
    const all = load();
    keys.forEach((key, i) => {
      if (this.entries.has(key) || this.loading.has(key)) return;
      this.stats.misses++;
      const one = all.then((chunks) => chunks[i]!);
      this.loading.set(key, one);
      one.then(
        (chunk) => {
          this.loading.delete(key);
          this.put(key, chunk);
        },
        () => this.loading.delete(key),
      );
    });
    return all;
  }

  /** Forgets every chunk: work that reads no volume for a while needs the memory more. */
  clear(): void {
    this.entries.clear();
    this.used = 0;
  }

  /** Forgets every chunk whose key starts with `prefix` (a closed volume, a rewritten chunk). */
  drop(prefix: string): void {
    for (const [key, chunk] of this.entries) {
      if (!key.startsWith(prefix)) continue;
      this.entries.delete(key);
      this.used -= chunk.data.byteLength;
    }
  }

  private put(key: string, chunk: Chunk): void {
    const size = chunk.data.byteLength;
    if (size > this.capacity) return;
    this.entries.set(key, chunk);
    this.used += size;
    for (const [oldest, old] of this.entries) {
      if (this.used <= this.capacity) break;
      this.entries.delete(oldest);
      this.used -= old.data.byteLength;
    }
  }
}

/** The cache volumes use unless they are given their own. */
export const sharedCache = new ChunkCache();
