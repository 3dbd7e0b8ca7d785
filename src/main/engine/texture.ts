// Texture: how strongly the grey value varies at a fine scale, averaged over a window. Textures of
// one mean grey level (a mosaic of fabrics, grains, foams) differ there and not in the value at a
// point, which is all the first stage sees. The energy of the gradient at a fine scale τ, pooled
// by each basis scale σ, is a second, fixed, rotation-invariant stage over the first (METHOD.md);
// a model has it only where it wins the scale choice on the user's labels.
import type { Vec3 } from '../../shared/volume';
import { type Aspect, basisHalo, smoothRings } from './basis';
import type { AxisOrder } from './block-predict';

/** The halo textures add to the basis's: the fine smoothing and its difference. */
export const textureHalo = (texture: readonly number[]): number => (texture.length ? basisHalo(texture) : 0);

/** The neighbourhood a voxel's features read: the basis's halo, and the texture's around it. */
export const featuresHalo = (scales: readonly number[], texture: readonly number[] = []): number =>
  basisHalo(scales) + textureHalo(texture);

/**
 * The pooled energies of a padded block, on its interior plus a one-voxel ring (as smoothRings):
 * for texture scale τ (index t) and basis scale σ (index s), rings[t * S + s] = G_σ * |τ ∇(G_τ * I)|²
 * (scale-normalised, like the basis). `halo` is at least basisHalo(scales) + textureHalo(texture).
 */
export function textureRings(
  input: Float32Array,
  paddedShape: Vec3,
  halo: number,
  scales: readonly number[],
  texture: readonly number[],
  aspect: Aspect,
  axisOrder: AxisOrder,
): Float32Array[] {
  const outer = textureHalo(texture);
  return texture.flatMap((tau) => {
    // the fine scale on the block less the texture halo, whose basis halo then pools it
    const fine = smoothRings(input, paddedShape, outer, [tau], aspect, axisOrder);
    const energy = gradientEnergy(fine.smoothed[0]!, fine.ring, tau, aspect);
    return smoothRings(energy, fine.shape, halo - outer, scales, aspect, axisOrder).smoothed;
  });
}

/** |∇g|² on the interior of `ring` (central differences per physical length, times τ/2 as the basis's gradient). */
function gradientEnergy(g: Float32Array, ring: Vec3, tau: number, aspect: Aspect): Float32Array {
  const [nz, ny, nx] = [ring[0] - 2, ring[1] - 2, ring[2] - 2];
  const out = new Float32Array(nz * ny * nx);
  const [dz, dy, dx] = aspect.map((a) => tau / 2 / a) as Vec3;
  const sy = ring[2];
  const sz = ring[1] * ring[2];
  let o = 0;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++) {
      let i = (z + 1) * sz + (y + 1) * sy + 1;
      for (let x = 0; x < nx; x++, i++, o++) {
        const gz = (g[i + sz]! - g[i - sz]!) * dz;
        const gy = (g[i + sy]! - g[i - sy]!) * dy;
        const gx = (g[i + 1]! - g[i - 1]!) * dx;
        out[o] = gz * gz + gy * gy + gx * gx;
      }
    }
  return out;
}
