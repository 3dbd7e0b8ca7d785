// A scalar field read blockwise from a volume, normalised so that the surface is where the value
// crosses `iso` and everything outside the volume counts as 0 (outside).
import { badInput } from '../../shared/errors';
import type { Region, TypedArray, Vec3 } from '../../shared/volume';
import type { Volume } from '../volume/volume';

export interface ScalarSource {
  /** (z, y, x) voxels. */
  shape: Vec3;
  /** Values of `region` as float32 in C order; NaN already replaced by 0 (outside). */
  read(region: Region): Promise<Float32Array>;
  /** How many NaN voxels were read so far (they count as outside). */
  readonly nanCount: number;
  /**
   * Where every value is k / steps for a whole k in 0 … steps: the steps of a probability map stored
   * as unsigned integers (255 for uint8), 1 for a class's indicator. A band then holds k in 8 or 16
   * bits instead of 32: a dense class's band is most of the volume.
   */
  readonly steps?: number;
}

/** What the field means: a probability map (values scaled to [0, 1]) or one class of a label volume. */
export type FieldSpec = { kind: 'probability' } | { kind: 'class'; label: number };

const UNSIGNED_MAX: Partial<Record<string, number>> = { uint8: 255, uint16: 65535, uint32: 4294967295 };

/** Probabilities stored as unsigned integers span the type's range (uint8 0-255 = 0-1); floats are as is. */
export function scalarSource(volume: Volume, spec: FieldSpec): ScalarSource {
  if (spec.kind === 'class' && !Number.isInteger(spec.label))
    throw badInput(`class must be an integer, got ${spec.label}`);
  const max = UNSIGNED_MAX[volume.dtype];
  const scale = spec.kind === 'probability' ? 1 / (max ?? 1) : 1;
  let nanCount = 0;
  return {
    shape: volume.shape,
    steps: spec.kind === 'class' ? 1 : max,
    get nanCount() {
      return nanCount;
    },
    async read(region) {
      const raw: TypedArray = await volume.read(region);
      const out = new Float32Array(raw.length);
      if (spec.kind === 'class') {
        for (let i = 0; i < raw.length; i++) out[i] = raw[i] === spec.label ? 1 : 0;
      } else {
        for (let i = 0; i < raw.length; i++) {
          const value = raw[i]! * scale;
          if (Number.isNaN(value)) nanCount++;
          else out[i] = value;
        }
      }
      return out;
    },
  };
}
