// Texture: how strongly, and in which directions, the grey value varies at a fine scale, averaged
// over a window. Textures of one mean grey level (a mosaic of fabrics, grains, foams) differ there
// and not in the value at a point, which is all the first stage sees. The structure tensor at a
// fine scale τ (the outer product of the gradient), pooled by each basis scale σ, and its three
// eigenvalues (their sum is the gradient energy; their spread says how oriented the texture is)
// are a second, fixed, rotation-invariant stage over the first (METHOD.md); a model has it only
// where it wins the scale choice on the user's labels.
import type { Vec3 } from '../../shared/volume';
import { type Aspect, basisHalo, smoothRings } from './basis';
import type { AxisOrder } from './block-predict';
import { symmetricEigenvalues } from './invariants';

/** Values per texture scale and basis scale: the pooled structure tensor's eigenvalues, largest first. */
export const TEXTURE_CHANNELS = 3;

/** The halo textures add to the basis's: the fine smoothing and its difference. */
export const textureHalo = (texture: readonly number[]): number => (texture.length ? basisHalo(texture) : 0);

/** The neighbourhood a voxel's features read: the basis's halo, and the texture's around it. */
export const featuresHalo = (scales: readonly number[], texture: readonly number[] = []): number =>
  basisHalo(scales) + textureHalo(texture);

/**
 * The pooled textures of a padded block, on its interior plus a one-voxel ring (as smoothRings):
 * for texture scale τ (index t), eigenvalue c (largest first) and basis scale σ (index s),
 * rings[(t * TEXTURE_CHANNELS + c) * S + s] is eigenvalue c of G_σ * (τ∇(G_τ * I))(τ∇(G_τ * I))ᵀ
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
    const pooled = gradientProducts(fine.smoothed[0]!, fine.ring, tau, aspect).map(
      (product) => smoothRings(product, fine.shape, halo - outer, scales, aspect, axisOrder).smoothed,
    );
    return eigenvalueRings(pooled, scales.length);
  });
}

/**
 * The six products of the gradient's components (zz, yy, xx, zy, zx, yx) on the interior of `ring`
 * (central differences per physical length, times τ/2 as the basis's gradient).
 */
function gradientProducts(g: Float32Array, ring: Vec3, tau: number, aspect: Aspect): Float32Array[] {
  const [nz, ny, nx] = [ring[0] - 2, ring[1] - 2, ring[2] - 2];
  const products = Array.from({ length: 6 }, () => new Float32Array(nz * ny * nx));
  const [zz, yy, xx, zy, zx, yx] = products as [
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
  ];
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
        zz[o] = gz * gz;
        yy[o] = gy * gy;
        xx[o] = gx * gx;
        zy[o] = gz * gy;
        zx[o] = gz * gx;
        yx[o] = gy * gx;
      }
    }
  return products;
}

/** Per basis scale, the eigenvalues of the pooled tensors (pooled[product][scale]), largest first: TEXTURE_CHANNELS × S rings. */
function eigenvalueRings(pooled: Float32Array[][], S: number): Float32Array[] {
  const n = pooled[0]![0]!.length;
  const rings = Array.from({ length: TEXTURE_CHANNELS * S }, () => new Float32Array(n));
  const eig = new Float64Array(3);
  for (let s = 0; s < S; s++) {
    const [zz, yy, xx, zy, zx, yx] = pooled.map((product) => product[s]!) as Float32Array[];
    const [first, second, third] = [rings[s]!, rings[S + s]!, rings[2 * S + s]!];
    for (let i = 0; i < n; i++) {
      symmetricEigenvalues(zz![i]!, yy![i]!, xx![i]!, zy![i]!, zx![i]!, yx![i]!, eig, 0);
      // ascending from symmetricEigenvalues; pooled squares, so never below rounding of 0
      first[i] = eig[2]!;
      second[i] = eig[1]!;
      third[i] = eig[0]!;
    }
  }
  return rings;
}
