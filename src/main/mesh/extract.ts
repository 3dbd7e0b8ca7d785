// Surface extraction, cube by cube, from a table of the surface inside one cube for each pattern of
// inside corners (cube-table.ts): marching tetrahedra's topology (closed, manifold and consistently
// oriented by construction, no ambiguous case) with about marching cubes' number of triangles.
// Every vertex sits on a lattice edge (or in one cube) with a global id, so blocks stitch exactly.
import { cancelled } from '../../shared/errors';
import type { Vec3 } from '../../shared/volume';
import type { Progress } from '../progress';
import { BandField, BRICK, readBand } from './band';
import { CENTRE, CUBE_CASES } from './cube-table';
import type { ScalarSource } from './source';
import { BlockSurface } from './block-surface';
import { GatheredSurface } from './gathered-surface';
import type { TriMesh } from './trimesh';
import type { WindowRules } from './windows';

/**
 * Vertex ids are 7 per lattice point: direction − 1 for the edges leaving it along x, y and z
 * (0, 1, 3); a cube's extra vertices take the slots of the diagonals, which carry none.
 */
const CENTRE_SLOTS = [2, 4, 5, 6];
/** Keeps vertices off lattice points, where several would coincide when a value equals iso. */
const CUT_MARGIN = 0.01;

export interface ExtractOptions {
  iso: number;
  /** Cubes per block side; memory is O(blockSize³) plus the surface. */
  blockSize?: number;
  /** Blocks read ahead of the one being extracted (while the source computes them elsewhere). Default 1. */
  readAhead?: number;
  /**
   * Closed surfaces wholly inside one block that enclose less than this (voxels³, either sign) are
   * dropped as the block is extracted. Default 0: none.
   */
  dropBelow?: number;
  /** The source is a window's crop (windows.ts): nothing reaching a cut face is dropped early, and only the window's objects are counted. */
  window?: WindowRules;
  signal?: AbortSignal;
  progress?: Progress;
}

export interface Extraction {
  /**
   * The surface's connected parts (closed surfaces), each its own mesh: positions in voxel
   * coordinates (x, y, z), voxel centres at integers, vertices sorted by lattice edge.
   */
  parts: TriMesh[];
  /** The field around the surface, for refinement. */
  band: BandField;
  /** NaN voxels met (counted as outside). */
  nanVoxels: number;
  /** Surfaces dropped for `dropBelow` that enclosed a positive volume (objects, not cavities; those the window counts). */
  dropped: number;
}

/**
 * Extracts the closed surface {value = iso} of `source`, padded with 0 (outside) around the volume
 * so objects touching the border are closed. Blocks are read one at a time; the result does not
 * depend on the block size (vertices and triangles come out in a canonical order).
 */
export async function extractSurface(source: ScalarSource, options: ExtractOptions): Promise<Extraction> {
  const { iso, signal, progress } = options;
  const blockSize = blockSide(options.blockSize);
  const [nz, ny, nx] = source.shape;
  const band = new BandField(source.shape, source.steps);
  // bricks within one of a brick the surface crosses: the band refinement reads
  const bandKeys = new Set<number>();
  const surface = new GatheredSurface();
  const blockSurface = new BlockSurface(options.window);
  let dropped = 0;
  const planeStride = (ny + 2) * (nx + 2);

  const blocks = extractionBlocks(source.shape, blockSize);
  // a block's corners span its cube starts .. starts + cubes inclusive: what lies inside the volume is read
  const load = async ([[z0, cz], [y0, cy], [x0, cx]]: Block): Promise<Float32Array> => {
    const [sz, sy, sx] = [cz + 1, cy + 1, cx + 1];
    const values = new Float32Array(sz * sy * sx);
    const readStart: Vec3 = [Math.max(z0, 0), Math.max(y0, 0), Math.max(x0, 0)];
    const readEnd: Vec3 = [Math.min(z0 + sz, nz), Math.min(y0 + sy, ny), Math.min(x0 + sx, nx)];
    const readShape: Vec3 = [readEnd[0] - readStart[0], readEnd[1] - readStart[1], readEnd[2] - readStart[2]];
    if (readShape.some((n) => n <= 0)) return values;
    const data = await source.read({ start: readStart, shape: readShape });
    for (let z = 0; z < readShape[0]; z++)
      for (let y = 0; y < readShape[1]; y++) {
        const from = (z * readShape[1] + y) * readShape[2];
        const to = ((readStart[0] - z0 + z) * sy + (readStart[1] - y0 + y)) * sx + (readStart[2] - x0);
        values.set(data.subarray(from, from + readShape[2]), to);
      }
    return values;
  };
  const loading = new Map<number, Promise<Float32Array>>();
  const readAhead = options.readAhead ?? 1;
  let requested = 0;
  let done = 0;
  for (const [index, [[z0, cz], [y0, cy], [x0, cx]]] of blocks.entries()) {
    if (signal?.aborted) throw cancelled('meshing cancelled');
    for (; requested <= Math.min(index + readAhead, blocks.length - 1); requested++) {
      const block = load(blocks[requested]!);
      block.catch(() => undefined); // awaited in its turn: a failure is the extraction's then
      loading.set(requested, block);
    }
    const values = await loading.get(index)!;
    loading.delete(index);
    const cubes: Vec3 = [cz, cy, cx];
    const [sz, sy, sx] = [cubes[0] + 1, cubes[1] + 1, cubes[2] + 1];
    const inside = new Uint8Array(values.length);
    let insideCount = 0;
    for (let i = 0; i < values.length; i++)
      if (values[i]! > iso) {
        inside[i] = 1;
        insideCount++;
      }
    // the surface crosses a block only if its corners are neither all outside nor all inside
    if (insideCount > 0 && insideCount < values.length) {
      const corner = [0, 1, sx, sx + 1, sx * sy, sx * sy + 1, sx * sy + sx, sx * sy + sx + 1];
      const point = new Float64Array(3);
      const edgeId = (padded: number, code: number): number => {
        const low = code >> 3;
        return (
          (padded + (low & 1) + ((low >> 1) & 1) * (nx + 2) + (low >> 2) * planeStride) * 7 + (low ^ (code & 7)) - 1
        );
      };
      for (let z = 0; z < cubes[0]; z++)
        for (let y = 0; y < cubes[1]; y++)
          for (let x = 0; x < cubes[2]; x++) {
            const base = (z * sy + y) * sx + x;
            let mask = 0;
            for (let c = 0; c < 8; c++) mask |= inside[base + corner[c]!]! << c;
            if (mask === 0 || mask === 255) continue;
            const gz = z0 + z;
            const gy = y0 + y;
            const gx = x0 + x;
            blockSurface.cube(band.brickOf(gz, gy, gx));
            const padded = (gz + 1) * planeStride + (gy + 1) * (nx + 2) + gx + 1;
            const { triangles: codes, centres } = CUBE_CASES[mask]!;
            for (const code of codes) {
              const centre = code - CENTRE;
              const id = centre >= 0 ? padded * 7 + CENTRE_SLOTS[centre]! : edgeId(padded, code);
              let vertex = blockSurface.get(id);
              if (vertex < 0) {
                if (centre < 0) cut(values, base, corner, iso, code, point);
                else centroid(values, base, corner, iso, centres[centre]!, point);
                const shared = centre < 0 && onBlockFace(code, z, y, x, cubes);
                vertex = blockSurface.add(id, shared, gx + point[0]!, gy + point[1]!, gz + point[2]!);
              }
              blockSurface.corner(vertex);
            }
          }
    }
    const { objects, crossed } = blockSurface.moveInto(surface, options.dropBelow ?? 0);
    dropped += objects;
    // keep the field around the surface for refinement while the block is at hand: every brick of
    // the block lies whole in its values; those the surface's neighbourhood needs across a block
    // border are read afterwards
    for (const key of band.dilate(crossed)) {
      bandKeys.add(key);
      if (!band.has(key) && band.brickWithin(key, [z0, y0, x0], [sz, sy, sx]))
        band.store(key, values, [z0, y0, x0], [sz, sy, sx]);
    }
    progress?.(++done, blocks.length, 'extracting surface');
  }
  const nanVoxels = source.nanCount; // before the band is read a second time
  await readBand(band, source, new Set([...bandKeys].filter((key) => !band.has(key))), blockSize / BRICK, signal);
  return { parts: surface.takeParts(), band, nanVoxels, dropped };
}

/**
 * Does lattice edge `code` of the block's cube (z, y, x) lie on one of the block's faces, where the
 * neighbouring block's cubes meet it too? `cubes`: the block's cubes along z, y and x.
 */
function onBlockFace(code: number, z: number, y: number, x: number, cubes: Vec3): boolean {
  const low = code >> 3;
  const along = low ^ (code & 7);
  const [lz, ly, lx] = [z + (low >> 2), y + ((low >> 1) & 1), x + (low & 1)];
  return (
    (!(along & 4) && (lz === 0 || lz === cubes[0])) ||
    (!(along & 2) && (ly === 0 || ly === cubes[1])) ||
    (!(along & 1) && (lx === 0 || lx === cubes[2]))
  );
}

/** The block side extraction uses for `blockSize`: a whole number of bricks. */
const blockSide = (blockSize = 128): number => Math.max(BRICK, Math.round(blockSize / BRICK) * BRICK);

/** A block of cubes: (first cube, cubes) along z, y and x. */
type Block = readonly [[number, number], [number, number], [number, number]];

/**
 * The blocks extractSurface reads a volume of `shape` in. Cubes have their low corner at -1 .. n-1
 * on each axis; blocks tile that range, the last one taking a remainder of up to a brick (a sliver
 * block costs a whole halo of field to read).
 */
export function extractionBlocks(shape: Vec3, blockSize?: number): Block[] {
  const side = blockSide(blockSize);
  const spans = (n: number): [number, number][] => {
    const out: [number, number][] = [];
    for (let s = -1, cubes = 0; s < n; s += cubes) {
      cubes = n - s - side <= BRICK ? n - s : side;
      out.push([s, cubes]);
    }
    return out;
  };
  const [nz, ny, nx] = shape;
  return spans(nz).flatMap((z) => spans(ny).flatMap((y) => spans(nx).map((x): Block => [z, y, x])));
}

/**
 * Where the level `iso` cuts the lattice edge `code` (low corner * 8 + high corner) of the cube at
 * `base` in `values`, relative to the cube's low corner: into `out` (x, y, z).
 */
function cut(values: Float32Array, base: number, corner: number[], iso: number, code: number, out: Float64Array): void {
  const low = code >> 3;
  const dir = low ^ (code & 7);
  const a = values[base + corner[low]!]!;
  const b = values[base + corner[code & 7]!]!;
  const t = Math.min(Math.max((iso - a) / (b - a), CUT_MARGIN), 1 - CUT_MARGIN);
  out[0] = (low & 1) + t * (dir & 1);
  out[1] = ((low >> 1) & 1) + t * ((dir >> 1) & 1);
  out[2] = (low >> 2) + t * (dir >> 2);
}

/** The mean of the cuts of lattice edges `edges` of the cube at `base`, into `out`. */
function centroid(
  values: Float32Array,
  base: number,
  corner: number[],
  iso: number,
  edges: number[],
  out: Float64Array,
): void {
  let [x, y, z] = [0, 0, 0];
  for (const edge of edges) {
    cut(values, base, corner, iso, edge, out);
    [x, y, z] = [x + out[0]!, y + out[1]!, z + out[2]!];
  }
  [out[0], out[1], out[2]] = [x / edges.length, y / edges.length, z / edges.length];
}
