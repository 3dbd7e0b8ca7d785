// The steps decided per object (6-connected component): fill holes, remove small objects, keep the
// largest. The first pass finds the components and what surrounds each; the second hands out the
// same labels again and writes each voxel's new value.
import type { PostprocessStep } from '../../shared/postprocess';
import type { Progress } from '../progress';
import type { RegionWriter } from '../volume/spec';
import type { Volume } from '../volume/volume';
import { ComponentScan, forEachSlice } from './components';

type ComponentStep = Extract<PostprocessStep, { op: 'fill-holes' | 'remove-small' | 'keep-largest' }>;

interface StepOptions {
  signal?: AbortSignal | undefined;
  progress?: Progress | undefined;
}

/** Writes `volume` (uint8 labels) with `step` applied into `into`. */
export async function componentStep(
  volume: Volume,
  step: ComponentStep,
  into: RegionWriter,
  options: StepOptions,
): Promise<void> {
  const [, ny, nx] = volume.shape;
  const scan = new ComponentScan(ny, nx);
  const K = step.classValue;
  // holes are made of everything that is not the class
  const member = step.op === 'fill-holes' ? (v: number) => v !== K : (v: number) => v === K;
  const survey = step.op === 'fill-holes' ? new BorderSurvey(volume.shape) : new ContactSurvey(volume.shape);
  await forEachSlice(
    volume,
    (data, offset, z) => survey.visit(scan, scan.slice(data, offset, member), data, offset, z),
    {
      ...options,
      stage: 'finding objects',
    },
  );
  const mapping = survey.decide(scan, step);
  scan.restart();
  await forEachSlice(
    volume,
    (data, offset) => {
      const labels = scan.slice(data, offset, member);
      for (let i = 0; i < labels.length; i++) {
        const value = mapping[labels[i]!]!;
        if (value >= 0) data[offset + i] = value;
      }
    },
    { ...options, stage: 'writing', into },
  );
}

/** Per provisional label, the value its voxels become (-1: unchanged). */
type Mapping = Int32Array;

/** For fill-holes: which components reach the volume's edge (those are not holes). */
class BorderSurvey {
  private readonly edge: number[] = [0];

  constructor(private readonly shape: [number, number, number]) {}

  visit(scan: ComponentScan, labels: Int32Array, _data: unknown, _offset: number, z: number): void {
    const [nz, ny, nx] = this.shape;
    const edge = this.edge;
    while (edge.length <= scan.count) edge.push(0);
    // a single slice (or row) has no edge across its thickness: a 2D image's holes are in-plane
    const wholeSlice = nz > 1 && (z === 0 || z === nz - 1);
    for (let y = 0, i = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, i++)
        if (
          labels[i]! > 0 &&
          (wholeSlice || (ny > 1 && (y === 0 || y === ny - 1)) || (nx > 1 && (x === 0 || x === nx - 1)))
        )
          edge[labels[i]!] = 1;
  }

  decide(scan: ComponentScan, step: ComponentStep): Mapping {
    const reaches = new Uint8Array(scan.count + 1);
    for (let label = 1; label <= scan.count; label++) if (this.edge[label]) reaches[scan.find(label)] = 1;
    const mapping = new Int32Array(scan.count + 1).fill(-1);
    for (let label = 1; label <= scan.count; label++) if (!reaches[scan.find(label)]) mapping[label] = step.classValue;
    return mapping;
  }
}

/** For removing objects: each component's size, and how many faces each other value shares with it. */
class ContactSurvey {
  private readonly size: number[] = [0];
  /** label · 256 + the neighbouring value → faces shared. */
  private readonly contacts = new Map<number, number>();
  /** The values of the slice before. */
  private readonly before: Uint8Array;

  constructor(private readonly shape: [number, number, number]) {
    this.before = new Uint8Array(shape[1] * shape[2]);
  }

  visit(scan: ComponentScan, labels: Int32Array, data: ArrayLike<number>, offset: number, z: number): void {
    const [, ny, nx] = this.shape;
    const [size, before, below] = [this.size, this.before, scan.below];
    while (size.length <= scan.count) size.push(0);
    for (let y = 0, i = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, i++) {
        const [label, value] = [labels[i]!, data[offset + i]!];
        if (label > 0) size[label]!++;
        if (x > 0) this.pair(label, value, labels[i - 1]!, data[offset + i - 1]!);
        if (y > 0) this.pair(label, value, labels[i - nx]!, data[offset + i - nx]!);
        if (z > 0) this.pair(label, value, below[i]!, before[i]!);
      }
    for (let i = 0; i < before.length; i++) before[i] = data[offset + i]!;
  }

  /** Two neighbouring voxels: where one is in a component and the other not, the component touches that value. */
  private pair(a: number, valueA: number, b: number, valueB: number): void {
    const key = a > 0 && b === 0 ? a * 256 + valueB : a === 0 && b > 0 ? b * 256 + valueA : -1;
    if (key >= 0) this.contacts.set(key, (this.contacts.get(key) ?? 0) + 1);
  }

  decide(scan: ComponentScan, step: ComponentStep): Mapping {
    const n = scan.count;
    const total = new Float64Array(n + 1);
    for (let label = 1; label <= n; label++) total[scan.find(label)]! += this.size[label]!;
    const merged = new Map<number, number>();
    for (const [key, count] of this.contacts) {
      const root = scan.find(Math.floor(key / 256)) * 256 + (key % 256);
      merged.set(root, (merged.get(root) ?? 0) + count);
    }
    // what surrounds each component most (-1 where nothing does: it fills the volume)
    const surround = new Int32Array(n + 1).fill(-1);
    const faces = new Float64Array(n + 1);
    for (const [key, count] of merged) {
      const root = Math.floor(key / 256);
      if (count > faces[root]!) [faces[root], surround[root]] = [count, key % 256];
    }
    let largest = 0;
    for (let label = 1; label <= n; label++) if (total[label]! > total[largest]!) largest = label;
    const removed = (root: number): boolean =>
      step.op === 'remove-small' ? total[root]! < step.minVoxels : root !== largest;
    const mapping = new Int32Array(n + 1).fill(-1);
    for (let label = 1; label <= n; label++) {
      const root = scan.find(label);
      if (removed(root)) mapping[label] = surround[root]!;
    }
    return mapping;
  }
}
