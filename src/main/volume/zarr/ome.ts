// OME-Zarr (NGFF) multiscale metadata: 0.4 keeps it in the group's attributes, 0.5 under `ome`.
import { fileProblem } from '../errors';

export interface Axis {
  name: string;
  type?: string;
  unit?: string;
}

export interface Multiscale {
  version: string;
  axes: Axis[];
  /** Highest resolution first, each with its full scale (dataset scale × global scale). */
  levels: { path: string; scale: number[] }[];
}

interface Transform {
  type: string;
  scale?: number[];
}

export function readMultiscale(path: string, attrs: Record<string, unknown>): Multiscale {
  const ome = (attrs.ome ?? attrs) as { version?: string; multiscales?: unknown };
  const list = ome.multiscales as
    | {
        version?: string;
        axes?: (Axis | string)[];
        datasets?: { path: string; coordinateTransformations?: Transform[] }[];
        coordinateTransformations?: Transform[];
      }[]
    | undefined;
  const first = list?.[0];
  if (!first?.datasets?.length)
    throw fileProblem(
      path,
      'Zarr group has no OME-Zarr multiscales (attributes.ome.multiscales or .zattrs multiscales)',
    );
  const version = ome.version ?? first.version ?? '0.4';
  const axes = (first.axes ?? ['z', 'y', 'x']).map((a) => (typeof a === 'string' ? { name: a } : a));
  const scaleOf = (transforms: Transform[] | undefined): number[] =>
    transforms?.find((t) => t.type === 'scale')?.scale ?? axes.map(() => 1);
  const global = scaleOf(first.coordinateTransformations);
  const levels = first.datasets.map((d) => {
    if (typeof d.path !== 'string') throw fileProblem(path, 'OME-Zarr multiscales dataset has no path');
    const scale = scaleOf(d.coordinateTransformations);
    if (scale.length !== axes.length)
      throw fileProblem(path, `OME-Zarr scale of ${d.path} has ${scale.length} values for ${axes.length} axes`);
    return { path: d.path, scale: scale.map((s, i) => s * (global[i] ?? 1)) };
  });
  return { version, axes, levels };
}
