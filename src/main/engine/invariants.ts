// Rotation invariants of a symmetric 3x3 tensor: its eigenvalues, and their gradient with respect
// to the tensor (for training). The tensor is stored by its 6 unique entries in basis order:
// zz, yy, xx, zy, zx, yx.

const TWO_PI_3 = (2 * Math.PI) / 3;
const SIN_2PI_3 = Math.sin(TWO_PI_3);

/**
 * Eigenvalues in ascending order, written to out[o], out[o+1], out[o+2]. Closed form (trigonometric
 * solution of the characteristic cubic), no allocation: this runs once per voxel and tensor.
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
  const phi = Math.acos(r) / 3;
  const cos = Math.cos(phi);
  const sin = Math.sqrt(1 - cos * cos);
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
