import type { Volume } from './volume';

/**
 * Intensity range for the initial window/level: the 0.5th and 99.5th percentiles of a few
 * z-slices spread through the volume, so one hot pixel does not wash out the view and a huge
 * volume is not read in full.
 */
export async function estimateRange(volume: Volume, slices = 5): Promise<[number, number]> {
  const [depth, height, width] = volume.shape;
  const values: number[] = [];
  const stride = Math.max(1, Math.floor((height * width * slices) / 200_000));
  for (let i = 0; i < slices; i++) {
    const z = Math.min(depth - 1, Math.floor(((i + 0.5) * depth) / slices));
    const data = await volume.read({ start: [z, 0, 0], shape: [1, height, width] });
    for (let j = 0; j < data.length; j += stride) {
      const value = data[j]!;
      if (Number.isFinite(value)) values.push(value);
    }
  }
  if (values.length === 0) return [0, 1];
  values.sort((a, b) => a - b);
  const low = values[Math.floor(0.005 * (values.length - 1))]!;
  const high = values[Math.ceil(0.995 * (values.length - 1))]!;
  return high > low ? [low, high] : [low, low + 1];
}
