// What a stroke paints: its shapes (points, discs in a slice plane, spheres, masks), turned into
// runs of voxels along x (spans), clipped to the volume. The label store paints the spans.
import { badInput } from '../../shared/errors';
import type { Region, Vec3 } from '../../shared/volume';

/** One piece of a stroke. Coordinates are voxels in (z, y, x); anything outside the volume is clipped. */
export type StrokeShape =
  /** Single voxels as flat (z, y, x) triples. */
  | { kind: 'points'; points: ArrayLike<number> }
  /** A disc in the slice plane perpendicular to `axis` through `center`. */
  | { kind: 'disc'; axis: 'z' | 'y' | 'x'; center: Vec3; radius: number }
  | { kind: 'sphere'; center: Vec3; radius: number }
  /** Voxels of `region` where `mask` (C order, one byte per voxel) is non-zero, e.g. a 2D flood fill. */
  | { kind: 'mask'; region: Region; mask: Uint8Array };

export interface Stroke {
  /** Class to paint, 1..255; 0 erases. */
  value: number;
  shapes: StrokeShape[];
}

/** Paints voxels x0..x1-1 of row (z, y), already clipped to the volume. */
export type Span = (z: number, y: number, x0: number, x1: number) => void;

/** Calls `span` for every run of voxels of `shape` inside a volume of shape `volume`. */
export function rasterize(shape: StrokeShape, volume: Vec3, span: Span): void {
  const [nz, ny, nx] = volume;
  switch (shape.kind) {
    case 'points': {
      const p = shape.points;
      for (let i = 0; i + 2 < p.length; i += 3) {
        const z = Math.round(p[i]!),
          y = Math.round(p[i + 1]!),
          x = Math.round(p[i + 2]!);
        if (z >= 0 && z < nz && y >= 0 && y < ny && x >= 0 && x < nx) span(z, y, x, x + 1);
      }
      return;
    }
    case 'sphere':
    case 'disc': {
      const { center, radius } = shape;
      if (!(radius >= 0) || !center.every(Number.isFinite))
        throw badInput(`brush needs a finite centre and radius ≥ 0`);
      // A disc is a sphere flattened to one plane: the plane axis gets no extent.
      const flat = shape.kind === 'disc' ? { z: 0, y: 1, x: 2 }[shape.axis] : -1;
      const r2 = radius * radius;
      const [cz, cy, cx] = center;
      const zr = flat === 0 ? 0 : radius,
        yr = flat === 1 ? 0 : radius;
      const zc = flat === 0 ? Math.round(cz) : cz,
        yc = flat === 1 ? Math.round(cy) : cy;
      for (let z = Math.max(0, Math.ceil(zc - zr)); z <= Math.min(nz - 1, Math.floor(zc + zr)); z++)
        for (let y = Math.max(0, Math.ceil(yc - yr)); y <= Math.min(ny - 1, Math.floor(yc + yr)); y++) {
          const rest = r2 - (flat === 0 ? 0 : (z - cz) ** 2) - (flat === 1 ? 0 : (y - cy) ** 2);
          if (rest < 0) continue;
          if (flat === 2) {
            const x = Math.round(cx);
            if (x >= 0 && x < nx) span(z, y, x, x + 1);
            continue;
          }
          const half = Math.sqrt(rest);
          const x0 = Math.max(0, Math.ceil(cx - half)),
            x1 = Math.min(nx, Math.floor(cx + half) + 1);
          if (x0 < x1) span(z, y, x0, x1);
        }
      return;
    }
    case 'mask': {
      const { start, shape: size } = shape.region;
      if (shape.mask.length !== size[0] * size[1] * size[2])
        throw badInput(
          `mask has ${shape.mask.length} bytes but its region [${size.join(', ')}] needs ${size[0] * size[1] * size[2]}`,
        );
      const [z0, y0, x0] = start;
      for (let z = Math.max(0, z0); z < Math.min(nz, z0 + size[0]); z++)
        for (let y = Math.max(0, y0); y < Math.min(ny, y0 + size[1]); y++) {
          const row = ((z - z0) * size[1] + (y - y0)) * size[2] - x0;
          let x = Math.max(0, x0);
          const end = Math.min(nx, x0 + size[2]);
          // Paint each run of set mask bytes as one span.
          while (x < end) {
            while (x < end && shape.mask[row + x] === 0) x++;
            const runStart = x;
            while (x < end && shape.mask[row + x] !== 0) x++;
            if (runStart < x) span(z, y, runStart, x);
          }
        }
      return;
    }
  }
}
