// Grey-value histograms: of the volume (under window/level) and of each class's painted voxels,
// and the thresholds those imply: where a classifier by grey value alone would split two classes.

export interface Histogram {
  /** Values from `low` to `high` in `counts.length` equal bins. */
  low: number;
  high: number;
  counts: number[];
}

/** A split between the darker class `below` and the brighter class `above`, at `value`. */
export interface Threshold {
  below: number;
  above: number;
  value: number;
  /** The share of the two classes' painted voxels on the wrong side of `value`. */
  misread: number;
}

export function histogramOf(values: ArrayLike<number>, low: number, high: number, bins: number): Histogram {
  const counts = new Array<number>(bins).fill(0);
  const scale = high > low ? bins / (high - low) : 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    counts[Math.min(bins - 1, Math.max(0, Math.floor((v - low) * scale)))]!++;
  }
  return { low, high, counts };
}

/**
 * The thresholds between classes neighbouring in grey value (ordered by their median): for each
 * pair, the value that puts the fewest of their painted voxels on the wrong side (the middle of
 * the first such interval).
 */
export function impliedThresholds(classes: { id: number; histogram: Histogram }[]): Threshold[] {
  const painted = classes.filter((c) => c.histogram.counts.some((n) => n > 0));
  const ordered = painted.map((c) => ({ ...c, median: median(c.histogram) })).sort((a, b) => a.median - b.median);
  const thresholds: Threshold[] = [];
  for (let k = 1; k < ordered.length; k++) {
    const [dark, bright] = [ordered[k - 1]!, ordered[k]!];
    const { low, high, counts } = dark.histogram;
    const width = (high - low) / counts.length;
    const total = sum(dark.histogram.counts) + sum(bright.histogram.counts);
    // errors(edge e) = dark voxels at or above bin e + bright voxels below it
    let darkAbove = sum(counts);
    let brightBelow = 0;
    // the middle of the first run of edges with the fewest errors: halfway across a gap between classes
    let best = { first: 0, last: 0, errors: darkAbove };
    for (let e = 1; e <= counts.length; e++) {
      darkAbove -= counts[e - 1]!;
      brightBelow += bright.histogram.counts[e - 1]!;
      const errors = darkAbove + brightBelow;
      if (errors < best.errors) best = { first: e, last: e, errors };
      else if (errors === best.errors && best.last === e - 1) best.last = e;
    }
    const value = low + ((best.first + best.last) / 2) * width;
    thresholds.push({ below: dark.id, above: bright.id, value, misread: best.errors / total });
  }
  return thresholds;
}

function median({ low, high, counts }: Histogram): number {
  const half = sum(counts) / 2;
  let seen = 0;
  for (let b = 0; b < counts.length; b++) {
    seen += counts[b]!;
    if (seen >= half) return low + ((b + 0.5) * (high - low)) / counts.length;
  }
  return high;
}

const sum = (counts: number[]): number => counts.reduce((a, n) => a + n, 0);
