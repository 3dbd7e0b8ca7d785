// A smooth field for meshing binary labels. A label volume's 0/1 indicator only says on which side
// of the surface each voxel centre lies: its 0.5 level is a staircase whatever the refinement does.
// Blurring the indicator (a Gaussian of about a voxel, corrected for shrinking) turns the staircase
// pattern along a slanted or curved surface into a smooth sub-voxel level, and clamping the result
// at every voxel centre to its own side of the level (Whitaker's constraint: inside centres stay
// inside, outside centres outside) keeps thin structures and the labels' topology: the field has
// the same signs at the voxel centres as the labels, so the surface extracted from it has exactly
// the labels' connectivity, only its vertices move. Computed block by block with a halo (zeros
// outside the volume, as everywhere), so the field and the mesh do not depend on the blocks.
import type { Region, Vec3 } from '../../shared/volume';
import type { ScalarSource } from './source';

export interface LabelFieldOptions {
  /** Gaussian standard deviation, voxels. */
  sigma: number;
  /**
   * Weight a of the shrink correction: the field is (1 + a)·G(σ) − a·G(σ√2) applied to the labels.
   * Blurring moves a curved level inward (by about σ² × mean curvature, as mean-curvature flow);
   * this difference of Gaussians cancels that term (a = 1 in the continuous limit; on voxelised
   * labels a little more is needed), leaving the smoothing of the staircase.
   */
  correction: number;
  /** Voxel centres are clamped to at least this far from 0.5 on their own side. */
  margin: number;
  /** Least distance, voxels, from a voxel centre to the cut of a lattice edge leaving it (< 0.5). */
  minCut: number;
}

/** minCut where a structure is one voxel thick (or a gap one voxel wide) along the edge's axis. */
const THIN_CUT = 0.45;
/**
 * Measured on label spheres, a cylinder, a torus and plates (scripts/bench/mesh.ts --labels-only):
 * a larger σ smooths spheres more but rounds edges; a larger minCut keeps thin plates thicker but
 * brings back some staircase (0.5 is the staircase itself).
 */
export const LABEL_FIELD: LabelFieldOptions = { sigma: 1.2, correction: 2, margin: 0.02, minCut: 0.2 };

/** The reach of gaussianKernel(sigma), voxels. */
const kernelRadius = (sigma: number): number => Math.ceil(3 * sigma);

function gaussianKernel(sigma: number): Float32Array {
  const radius = kernelRadius(sigma);
  const kernel = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) sum += kernel[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < kernel.length; i++) kernel[i]! /= sum;
  return kernel;
}

/**
 * Convolves `data` (shape nz × ny × nx) along one axis in place, zeros beyond its ends. Whole rows
 * of the faster axes are weighted and added at once, so z and y read memory in order as x does.
 */
function convolveAxis(
  data: Float32Array,
  shape: [number, number, number],
  axis: 0 | 1 | 2,
  kernel: Float32Array,
): void {
  const length = shape[axis];
  // the volume as outer × length × inner, inner contiguous
  const inner = axis === 0 ? shape[1] * shape[2] : axis === 1 ? shape[2] : 1;
  const outer = data.length / (length * inner);
  const radius = (kernel.length - 1) / 2;
  const copy = new Float32Array(length * inner);
  const sum = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    const base = o * length * inner;
    copy.set(data.subarray(base, base + length * inner));
    for (let k = 0; k < length; k++) {
      const centre = kernel[radius]!;
      if (inner === 1) {
        let value = centre * copy[k]!;
        for (let d = 1; d <= radius; d++)
          value += kernel[radius + d]! * ((k >= d ? copy[k - d]! : 0) + (k + d < length ? copy[k + d]! : 0));
        data[base + k] = value;
        continue;
      }
      const row = copy.subarray(k * inner, (k + 1) * inner);
      for (let i = 0; i < inner; i++) sum[i] = centre * row[i]!;
      // the kernel is symmetric: the rows d before and after share a weight
      for (let d = 1; d <= radius; d++) {
        const weight = kernel[radius + d]!;
        const [before, after] = [k - d >= 0, k + d < length];
        if (before && after) {
          const [low, high] = [
            copy.subarray((k - d) * inner, (k - d + 1) * inner),
            copy.subarray((k + d) * inner, (k + d + 1) * inner),
          ];
          for (let i = 0; i < inner; i++) sum[i]! += weight * (low[i]! + high[i]!);
        } else if (before || after) {
          const side = copy.subarray((before ? k - d : k + d) * inner, (before ? k - d + 1 : k + d + 1) * inner);
          for (let i = 0; i < inner; i++) sum[i]! += weight * side[i]!;
        }
      }
      data.set(sum, base + k * inner);
    }
  }
}

/** One block of the field to compute: the labels read round it and where they lie. */
export interface FieldBlock {
  /** The labels' indicator over `readStart` .. + `readShape` (the region and its halo, inside the volume). */
  raw: Float32Array;
  readStart: Vec3;
  readShape: Vec3;
  region: Region;
  volumeShape: Vec3;
  options: LabelFieldOptions;
}

/**
 * The labels' indicator (`source`, values 0 or 1) blurred and clamped at the voxel centres: a field
 * whose 0.5 level is a smooth surface that keeps every voxel centre on its side. `compute` runs
 * each block's arithmetic (on another thread, say); here by default.
 */
export function labelField(
  source: ScalarSource,
  options: LabelFieldOptions = LABEL_FIELD,
  compute: (block: FieldBlock) => Promise<Float32Array> = async (block) => fieldOfBlock(block),
): ScalarSource {
  const pad = fieldPad(options);
  return {
    shape: source.shape,
    get nanCount() {
      return source.nanCount;
    },
    async read(region: Region): Promise<Float32Array> {
      const readStart = region.start.map((s) => Math.max(0, s - pad)) as Vec3;
      const end = region.start.map((s, axis) => Math.min(source.shape[axis]!, s + region.shape[axis]! + pad));
      const readShape = end.map((e, axis) => e - readStart[axis]!) as Vec3;
      const raw = await source.read({ start: readStart, shape: readShape });
      return compute({ raw, readStart, readShape, region, volumeShape: source.shape, options });
    },
  };
}

/** The halo a block's field needs: the wider kernel's reach, plus one voxel for the edge constraint's neighbours. */
const fieldPad = (options: LabelFieldOptions): number => kernelRadius(options.sigma * Math.SQRT2) + 1;

/** The field over `region` from the labels round it. */
export function fieldOfBlock({ raw, readStart, readShape, region, volumeShape, options }: FieldBlock): Float32Array {
  const kernel = gaussianKernel(options.sigma);
  const wideKernel = gaussianKernel(options.sigma * Math.SQRT2);
  const pad = fieldPad(options);
  const { margin, correction, minCut } = options;
  const [nz, ny, nx] = volumeShape;
  // padded so that everything within `pad` of the region is present (zeros outside the volume)
  const padded = region.shape.map((n) => n + 2 * pad) as [number, number, number];
  const [, py, px] = padded;
  const field = new Float32Array(padded[0] * py * px);
  const offset = readStart.map((s, axis) => s - (region.start[axis]! - pad));
  for (let z = 0; z < readShape[0]; z++)
    for (let y = 0; y < readShape[1]; y++) {
      const from = (z * readShape[1] + y) * readShape[2];
      const to = ((z + offset[0]!) * py + y + offset[1]!) * px + offset[2]!;
      field.set(raw.subarray(from, from + readShape[2]), to);
    }
  const [sz, sy, sx] = region.shape;
  const out = new Float32Array(sz * sy * sx);
  // far from any surface (most blocks of a large volume) the field is the labels themselves
  const inside = new Uint8Array(field.length);
  let insideCount = 0;
  for (let i = 0; i < field.length; i++) if (field[i]! > 0.5) insideCount += inside[i] = 1;
  if (insideCount === 0 || insideCount === field.length) return out.fill(field[0]!);
  const wide = field.slice();
  for (const axis of [2, 1, 0] as const) convolveAxis(field, padded, axis, kernel);
  for (const axis of [2, 1, 0] as const) convolveAxis(wide, padded, axis, wideKernel);
  for (let i = 0; i < field.length; i++) {
    const value = (1 + correction) * field[i]! - correction * wide[i]!;
    field[i] = inside[i] ? Math.max(value, 0.5 + margin) : Math.min(value, 0.5 - margin);
  }
  // the extraction cuts the lattice edge between an inside and an outside centre where the
  // field crosses 0.5: keep that cut at least minCut from either centre (a sphere of one voxel
  // stays a voxel-sized blob, a one-voxel plate keeps a thickness)
  const [z0, y0, x0] = region.start;
  const steps = [1, px, py * px];
  const sizes = [nx, ny, nz];
  const coordinate = [0, 0, 0];
  for (let z = 0, i = 0; z < sz; z++)
    for (let y = 0; y < sy; y++)
      for (let x = 0; x < sx; x++, i++) {
        const at = ((z + pad) * py + y + pad) * px + x + pad;
        let value = field[at]!;
        const side = inside[at]!;
        if (
          side === inside[at + 1] &&
          side === inside[at - 1] &&
          side === inside[at + px] &&
          side === inside[at - px] &&
          side === inside[at + py * px] &&
          side === inside[at - py * px]
        ) {
          out[i] = value;
          continue;
        }
        coordinate[0] = x0 + x;
        coordinate[1] = y0 + y;
        coordinate[2] = z0 + z;
        for (let axis = 0; axis < 3; axis++)
          for (let sign = -1; sign <= 1; sign += 2) {
            const step = sign * steps[axis]!;
            if (inside[at + step] === side) continue;
            // outside the volume the extraction sees 0 (and the padding holds 0: outside)
            const g = coordinate[axis]! + sign;
            const b = g < 0 || g >= sizes[axis]! ? 0 : field[at + step]!;
            // one voxel thick along this axis (or a one-voxel gap): both neighbours on the other
            // side. The blur cannot place such faces (they interact); keep them near the midpoints
            const cut = inside[at - step] !== side ? Math.max(THIN_CUT, minCut) : minCut;
            // a − ½ ≥ cut·(a − b) for an inside centre, ½ − a ≥ cut·(b − a) for an outside one
            const bound = (0.5 - cut * b) / (1 - cut);
            value = side ? Math.max(value, bound) : Math.min(value, bound);
          }
        out[i] = value;
      }
  return out;
}
