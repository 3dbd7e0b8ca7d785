// The 3D view's transfer function as a pure model: a colour map and an opacity ramp over the
// volume's intensity range, named presets, and the points vtk.js needs to draw them.

export const COLOUR_MAPS = {
  Grey: ['#000000', '#ffffff'],
  Bone: ['#1a1008', '#8c5a30', '#e0bc88', '#fff2dc'],
  Hot: ['#000000', '#b01010', '#ff8c00', '#ffff60', '#ffffff'],
  Cool: ['#08306b', '#2171b5', '#6baed6', '#c6f4ff'],
  Viridis: ['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'],
} as const;
export type ColourMap = keyof typeof COLOUR_MAPS;

export interface TransferFunction {
  colourMap: ColourMap;
  /** Where the opacity ramp starts and ends, as fractions (0..1) of the intensity range. */
  low: number;
  high: number;
  /** Opaque at low intensities instead of high ones (pores, voids). */
  invert: boolean;
  /** Opacity at the top of the ramp, per overview voxel crossed (0..1). */
  opacity: number;
}

export const PRESETS = {
  'Grey ramp': { colourMap: 'Grey', low: 0.3, high: 1, invert: false, opacity: 0.25 },
  'Dense material': { colourMap: 'Bone', low: 0.6, high: 0.8, invert: false, opacity: 0.9 },
  'Pores / low density': { colourMap: 'Cool', low: 0.05, high: 0.3, invert: true, opacity: 0.6 },
} satisfies Record<string, TransferFunction>;
export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

/** The distance a volume's opacities are given per: one overview voxel, whatever its size. */
export const opacityUnitDistance = (spacing: readonly number[]): number =>
  spacing.reduce((a, b) => a + b, 0) / spacing.length;

/** Intensity → (r, g, b) in 0..1, and intensity → opacity, as points of piecewise-linear functions. */
export interface TransferPoints {
  colours: [number, number, number, number][];
  opacities: [number, number][];
}

export function transferPoints(tf: TransferFunction, [min, max]: [number, number]): TransferPoints {
  const span = max > min ? max - min : 1;
  const at = (fraction: number): number => min + fraction * span;
  const stops = COLOUR_MAPS[tf.colourMap];
  const colours = stops.map((hex, i): [number, number, number, number] => {
    const [r, g, b] = rgb(hex);
    return [at(i / (stops.length - 1)), r, g, b];
  });
  const low = Math.min(tf.low, tf.high);
  const high = Math.max(tf.high, low + 1e-3);
  const [lowOpacity, highOpacity] = tf.invert ? [tf.opacity, 0] : [0, tf.opacity];
  const opacities: [number, number][] = [
    [at(low), lowOpacity],
    [at(high), highOpacity],
  ];
  // Beyond the range the ramp's ends hold.
  if (low > 0) opacities.unshift([at(0), lowOpacity]);
  if (high < 1) opacities.push([at(1), highOpacity]);
  return { colours, opacities };
}

/** '#rrggbb' → [r, g, b] in 0..1. */
export function rgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [((n >> 16) & 255) / 255, ((n >> 8) & 255) / 255, (n & 255) / 255];
}

/**
 * A label volume's colours and opacities from the RGBA class table (256 entries, as the slice
 * overlays use): steps at each label value, so that nearest sampling gets exactly its class.
 */
export function labelTransferPoints(table: Uint8Array): TransferPoints {
  let top = 0;
  for (let v = 0; v < 256; v++) if (table[v * 4 + 3]! > 0) top = v;
  const colours: TransferPoints['colours'] = [];
  const opacities: TransferPoints['opacities'] = [];
  for (let v = 0; v <= top + 1 && v < 256; v++) {
    const [r, g, b, a] = table.subarray(v * 4, v * 4 + 4);
    for (const x of [v - 0.45, v + 0.45]) {
      colours.push([x, r! / 255, g! / 255, b! / 255]);
      opacities.push([x, a! / 255]);
    }
  }
  return { colours, opacities };
}
