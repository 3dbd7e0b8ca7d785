// The grey values behind the window/level panel's histogram: a sample of the volume (a few z
// slices spread through it, as the initial range is estimated) and of each class's painted voxels,
// binned over one range, with the thresholds they imply.
import { histogramOf, impliedThresholds } from '../../shared/histogram';
import type { GreyHistograms } from '../../shared/api/segmentation';
import type { LabelledVoxels } from '../labels';
import type { Volume } from '../volume/volume';

const VOLUME_SLICES = 5;
const VOLUME_SAMPLES = 200_000;
/** Painted voxels read per class, and z slices they are read from: enough for a histogram. */
const CLASS_SAMPLES = 5000;
const CLASS_SLICES = 32;

export async function greyHistograms(
  volume: Volume,
  labels: LabelledVoxels,
  classIds: number[],
  bins: number,
): Promise<GreyHistograms> {
  const sample = await volumeSample(volume);
  const painted = await paintedValues(volume, labels, classIds);
  let [low, high] = [Infinity, -Infinity];
  for (const values of [sample, ...painted.values()])
    for (const v of values) if (Number.isFinite(v)) [low, high] = [Math.min(low, v), Math.max(high, v)];
  if (!(high > low)) [low, high] = Number.isFinite(low) ? [low, low + 1] : [0, 1];
  const classes = classIds.map((id) => ({ id, histogram: histogramOf(painted.get(id) ?? [], low, high, bins) }));
  return { volume: histogramOf(sample, low, high, bins), classes, thresholds: impliedThresholds(classes) };
}

/** Each volume's sample, read once: the histogram is asked for again after every stroke. */
const samples = new WeakMap<Volume, Promise<number[]>>();

function volumeSample(volume: Volume): Promise<number[]> {
  let sample = samples.get(volume);
  if (!sample) {
    sample = readSample(volume);
    samples.set(volume, sample);
    sample.catch(() => samples.delete(volume));
  }
  return sample;
}

async function readSample(volume: Volume): Promise<number[]> {
  const [depth, height, width] = volume.shape;
  const stride = Math.max(1, Math.floor((height * width * VOLUME_SLICES) / VOLUME_SAMPLES));
  const values: number[] = [];
  for (let i = 0; i < VOLUME_SLICES; i++) {
    const z = Math.min(depth - 1, Math.floor(((i + 0.5) * depth) / VOLUME_SLICES));
    const data = await volume.read({ start: [z, 0, 0], shape: [1, height, width] });
    for (let j = 0; j < data.length; j += stride) values.push(data[j]!);
  }
  return values;
}

/** Up to CLASS_SAMPLES values per class, spread through its painted voxels, from at most CLASS_SLICES z slices. */
async function paintedValues(
  volume: Volume,
  labels: LabelledVoxels,
  classIds: number[],
): Promise<Map<number, number[]>> {
  const [, height, width] = volume.shape;
  const plane = height * width;
  const bySlice = new Map<number, { index: number; id: number }[]>();
  for (const id of classIds) {
    const own: number[] = [];
    for (let i = 0; i < labels.indices.length; i++) if (labels.classes[i] === id) own.push(labels.indices[i]!);
    const step = Math.max(1, own.length / CLASS_SAMPLES);
    for (let k = 0; k < own.length; k += step) {
      const index = own[Math.floor(k)]!;
      const z = Math.floor(index / plane);
      if (!bySlice.has(z)) bySlice.set(z, []);
      bySlice.get(z)!.push({ index, id });
    }
  }
  const slices = [...bySlice.keys()].sort((a, b) => a - b);
  const every = Math.ceil(slices.length / CLASS_SLICES);
  const values = new Map<number, number[]>(classIds.map((id) => [id, []]));
  for (const z of slices.filter((_, k) => k % every === 0)) {
    const voxels = bySlice.get(z)!;
    const rows = voxels.map(({ index }) => Math.floor((index % plane) / width));
    const [y0, y1] = [Math.min(...rows), Math.max(...rows)];
    const data = await volume.read({ start: [z, y0, 0], shape: [1, y1 - y0 + 1, width] });
    for (const { index, id } of voxels) values.get(id)!.push(data[(index % plane) - y0 * width]!);
  }
  return values;
}
