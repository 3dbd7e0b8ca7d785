// Rotation invariants of a symmetric 3x3 tensor: its eigenvalues, and their gradient with respect
// to the tensor (for training). The tensor is stored by its 6 unique entries in basis order:
// zz, yy, xx, zy, zx, yx.

const SIN_2PI_3 = Math.sin((2 * Math.PI) / 3);

// cos(4t/3) as a polynomial in x = 1 - cos t for t in [0, pi/4] (x in [0, 1 - sqrt(1/2)]): a
// Chebyshev least-squares fit of degree 10, within 1e-15 of the exact value there.
const [K0, K1, K2, K3, K4, K5, K6, K7, K8, K9, K10] = [
  1.0000000000000004, -1.7777777777777968, 0.23045267489659998, 0.03414113705438357, 0.008806245273303707,
  0.0027832060137999437, 0.0009793771954369243, 0.0003672438122686645, 0.00015036448540892467, 4.316574450409751e-5,
  4.7540990424458595e-5,
] as const;

/**
 * cos(acos(r) / 3) for r in [-1, 1] without trigonometric calls (Math.acos and Math.cos cost
 * twice as much here, and this runs for every voxel and tensor): with acos(r) = 4t, two half-angle
 * steps give cos t = sqrt((1 + sqrt((1 + r) / 2)) / 2), and cos(4t/3) is smooth in cos t.
 */
export function cosThirdArccos(r: number): number {
  const x = 1 - Math.sqrt(0.5 + 0.5 * Math.sqrt(0.5 + 0.5 * r));
  const x2 = x * x;
  const x4 = x2 * x2;
  // Estrin's scheme: short dependency chains
  return (
    K0 + K1 * x + x2 * (K2 + K3 * x) + x4 * (K4 + K5 * x + x2 * (K6 + K7 * x)) + x4 * x4 * (K8 + K9 * x + x2 * K10)
  );
}

/**
 * Eigenvalues in ascending order, written to out[o], out[o+1], out[o+2]. Closed form (trigonometric
 * solution of the characteristic cubic, its cosine from `cosThirdArccos`), no allocation: this runs
 * once per voxel and tensor.
 */
export function symmetricEigenvalues(
  a: number,
  b: number,
  c: number,
  d: number,
  e: number,
  f: number,
  out: Float64Array,
  o: number,
): void {
  const q = (a + b + c) / 3;
  const off = d * d + e * e + f * f;
  const a0 = a - q;
  const b0 = b - q;
  const c0 = c - q;
  const p2 = a0 * a0 + b0 * b0 + c0 * c0 + 2 * off;
  if (p2 < 1e-30) {
    out[o] = q;
    out[o + 1] = q;
    out[o + 2] = q;
    return;
  }
  const p = Math.sqrt(p2 / 6);
  // det(A - qI) / (2 p^3), clamped against rounding
  const det = a0 * (b0 * c0 - f * f) - d * (d * c0 - f * e) + e * (d * f - b0 * e);
  let r = det / (2 * p * p * p);
  r = r < -1 ? -1 : r > 1 ? 1 : r;
  const cos = cosThirdArccos(r); // cos(phi), phi = acos(r) / 3 in [0, pi/3]
  // the polynomial gives 1 + 4e-16 at r = 1 (two equal eigenvalues, as in every 2D image): a
  // negative square root there made the eigenvalues NaN
  const sin = Math.sqrt(Math.max(0, 1 - cos * cos));
  const largest = q + 2 * p * cos;
  // cos(phi + 2pi/3) without a second cosine
  const smallest = q + 2 * p * (-0.5 * cos - SIN_2PI_3 * sin);
  out[o] = smallest;
  out[o + 1] = 3 * q - largest - smallest;
  out[o + 2] = largest;
}

/**
 * Adds dLoss/dTensor for one eigenvalue `lambda` with upstream gradient `g` into grad[0..5]
 * (unique entries; off-diagonals count twice). From implicit differentiation of the characteristic
 * polynomial: dλ/dA = (λ²I − λ(tr(A)·I − A) + adj(A)) / p'(λ), which is v vᵀ for a simple
 * eigenvalue. p'(λ) → 0 at repeated eigenvalues, where λ is not differentiable: the inverse is
 * damped there so such voxels only contribute a bounded gradient.
 */
export function addEigenvalueGradient(
  a: number,
  b: number,
  c: number,
  d: number,
  e: number,
  f: number,
  lambda: number,
  g: number,
  grad: Float64Array,
): void {
  const i1 = a + b + c;
  const i2 = a * b + a * c + b * c - d * d - e * e - f * f;
  const dp = 3 * lambda * lambda - 2 * i1 * lambda + i2;
  const inv = (g * dp) / (dp * dp + 1e-10);
  const l2 = lambda * lambda;
  grad[0]! += (l2 - lambda * (i1 - a) + (b * c - f * f)) * inv;
  grad[1]! += (l2 - lambda * (i1 - b) + (a * c - e * e)) * inv;
  grad[2]! += (l2 - lambda * (i1 - c) + (a * b - d * d)) * inv;
  grad[3]! += 2 * (lambda * d + (e * f - c * d)) * inv;
  grad[4]! += 2 * (lambda * e + (d * f - b * e)) * inv;
  grad[5]! += 2 * (lambda * f + (d * e - a * f)) * inv;
}
