// Labels through surfaces window by window, so that memory follows a window, not the volume: a
// dense class of a 512³ volume is a surface of 27 M triangles. Each window is a box of the volume,
// meshed with a margin of HALO voxels round it, and only the box's voxels are labelled from it.
// Refinement is local (a vertex moves a fraction of a voxel per iteration, smoothing reaches its
// neighbours), so with the margin the box's labels are those of surfaces made whole: the engine
// bench's fibres and pores gave the same labels voxel for voxel at 256³ in windows of 64 or 128
// with margins of 8 or 16, and at 512³ in windows of 256 (a margin of 2: 570 voxels differ, all
// within 2 voxels of a window face). An object is judged by its volume where a window holds it
// whole; one that reaches past a window's margin is kept there whatever its volume (only an object
// below the minimum volume and longer than the margin can tell the two apart).
import type { Region, Vec3 } from '../../shared/volume';

/** Voxels per window side: a window's surfaces are a sixty-fourth of a 1024³ volume's. */
export const WINDOW = 256;
/** The margin meshed round a window's box, voxels. */
export const HALO = 16;

/**
 * How a mesh of one window's crop treats its objects; points are the crop's voxel coordinates
 * (x, y, z), as extracted surfaces are.
 */
export interface WindowRules {
  /**
   * Whether a point lies beyond a face of the crop that cuts through the volume: a surface
   * reaching there goes on outside the crop, so the volume it encloses here says nothing and it
   * is kept, whatever the minimum volume.
   */
  beyondCut(x: number, y: number, z: number): boolean;
  /**
   * Whether an object whose lowest vertex (least z, then y, then x) is (x, y, z) is this window's
   * to count among those dropped: an object held whole by several windows' crops is counted by the
   * one whose box holds its lowest point. (Objects kept are not counted across windows: one that
   * crosses them is seen in pieces.)
   */
  counts(x: number, y: number, z: number): boolean;
}

export interface Window {
  /** The voxels labelled from this window. */
  box: Region;
  /** The voxels meshed: the box and up to `halo` voxels round it, within the volume. */
  crop: Region;
  rules: WindowRules;
}

/** The windows of a volume of `shape`, boxes of `side` voxels in C order; one when it fits in one. */
export function surfaceWindows(shape: Vec3, side = WINDOW, halo = HALO): Window[] {
  const starts = shape.map((n) => Array.from({ length: Math.ceil(n / side) }, (_, i) => i * side));
  const windows: Window[] = [];
  for (const z of starts[0]!)
    for (const y of starts[1]!)
      for (const x of starts[2]!) {
        const start: Vec3 = [z, y, x];
        const end = start.map((s, a) => Math.min(s + side, shape[a]!)) as Vec3;
        const cropStart = start.map((s) => Math.max(s - halo, 0)) as Vec3;
        const cropEnd = end.map((e, a) => Math.min(e + halo, shape[a]!)) as Vec3;
        const cropShape = cropEnd.map((e, a) => e - cropStart[a]!) as Vec3;
        windows.push({
          box: { start, shape: end.map((e, a) => e - start[a]!) as Vec3 },
          crop: { start: cropStart, shape: cropShape },
          rules: windowRules(
            cropShape,
            start.map((s, a) => s - cropStart[a]!) as Vec3,
            end.map((e, a) => e - cropStart[a]!) as Vec3,
            cropStart.map((s) => s > 0) as [boolean, boolean, boolean],
            cropEnd.map((e, a) => e < shape[a]!) as [boolean, boolean, boolean],
          ),
        });
      }
  return windows;
}

/** The rules of a crop of `shape` (z, y, x) whose box spans [low, high) and whose faces are cut where marked. */
function windowRules(
  shape: Vec3,
  low: Vec3,
  high: Vec3,
  cutLow: [boolean, boolean, boolean],
  cutHigh: [boolean, boolean, boolean],
): WindowRules {
  // extracted surfaces close over the padding: only a surface reaching past a face is outside [0, n − 1]
  const beyond = (value: number, axis: number): boolean =>
    (cutLow[axis]! && value < 0) || (cutHigh[axis]! && value > shape[axis]! - 1);
  // a point belongs to the box of the voxel nearest to it within the crop (the padding's points
  // round the volume's border to the voxels on it)
  const inBox = (value: number, axis: number): boolean => {
    const voxel = Math.min(Math.max(Math.round(value), 0), shape[axis]! - 1);
    return voxel >= low[axis]! && voxel < high[axis]!;
  };
  return {
    beyondCut: (x, y, z) => beyond(z, 0) || beyond(y, 1) || beyond(x, 2),
    counts: (x, y, z) => inBox(z, 0) && inBox(y, 1) && inBox(x, 2),
  };
}

/** Whether vertex a of `positions` (x, y, z each) lies lower than vertex b: less z, then y, then x. */
export function lowerVertex(positions: ArrayLike<number>, a: number, b: number): boolean {
  for (let k = 2; k >= 0; k--) {
    const [pa, pb] = [positions[a * 3 + k]!, positions[b * 3 + k]!];
    if (pa !== pb) return pa < pb;
  }
  return false;
}

/** Whether `rules` count the object whose surface has these positions (x, y, z each); all count without rules. */
export function countedBy(rules: WindowRules | undefined, positions: ArrayLike<number>): boolean {
  if (!rules) return true;
  let lowest = 0;
  for (let v = 1; v < positions.length / 3; v++) if (lowerVertex(positions, v, lowest)) lowest = v;
  return rules.counts(positions[lowest * 3]!, positions[lowest * 3 + 1]!, positions[lowest * 3 + 2]!);
}

/** Whether a surface with these positions reaches beyond a cut face of the rules' crop. */
export function reachesCut(rules: WindowRules | undefined, positions: ArrayLike<number>): boolean {
  if (!rules) return false;
  for (let i = 0; i < positions.length; i += 3)
    if (rules.beyondCut(positions[i]!, positions[i + 1]!, positions[i + 2]!)) return true;
  return false;
}
