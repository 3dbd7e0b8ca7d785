// Surface meshes of a segmentation: build one class's closed, refined meshes as a job, read them
// for the 3D view, measure them, export them. A mesh's id is the id of the job that built it.
import { z } from 'zod';
import type { Vec3 } from '../volume';

const volumeId = z.string().min(1);
const meshId = z.string().min(1);
const finite = z.number().finite();

export const meshArgs = {
  /**
   * Meshes one class of the volume's last segment-all result as a job (progress, cancel). Options
   * as in `tomoseg mesh`: `smooth` weight in [0, 1], target `edgeLength` and `minVolume` in the
   * volume's physical unit, refinement `iterations` (0 = raw marching cubes). The job id is the mesh id.
   */
  meshSegmentation: z.object({
    volumeId,
    classId: z.number().int().min(1).max(255),
    smooth: finite.min(0).max(1).optional(),
    edgeLength: finite.positive().optional(),
    minVolume: finite.nonnegative().optional(),
    iterations: z.number().int().min(0).max(1000).optional(),
    /**
     * What to mesh: the class's probability (sub-voxel, the default when segment-all kept it) or
     * its voxels in the label volume.
     */
    source: z.enum(['probabilities', 'labels']).optional(),
  }),
  /**
   * Measures the objects of one class of the last segment-all result from its voxels (no mesh)
   * as a job, and writes the table to `csv` (as `tomoseg measure`): per 6-connected object its
   * voxels, volume, equivalent diameter, centroid and bounding box, and the class's share of the
   * volume. Objects of fewer than `minVoxels` are left out.
   */
  measureObjects: z.object({
    volumeId,
    classId: z.number().int().min(1).max(255),
    csv: z
      .string()
      .min(1)
      .regex(/\.csv$/i, 'the table file name must end in .csv'),
    minVoxels: z.number().int().min(1).optional(),
    overwrite: z.boolean().default(false),
  }),
  /** All triangles of a built mesh, objects one after another, for display. */
  readMesh: z.object({ meshId }),
  /** Per-object measurements of a built mesh. */
  meshMeasurements: z.object({ meshId }),
  /**
   * Writes all objects of a mesh to `path` (.stl binary, .ply binary or .obj by extension) and,
   * with `csv`, the measurements table there. Files appear only when complete.
   */
  exportMesh: z.object({
    meshId,
    path: z.string().min(1),
    csv: z
      .string()
      .min(1)
      .regex(/\.csv$/i, 'the measurements file name must end in .csv')
      .optional(),
    overwrite: z.boolean().default(false),
  }),
};

/** Where one object lies in the concatenated arrays of `MeshData`. */
export interface MeshObjectRange {
  /** First vertex and vertex count (positions hold three numbers per vertex). */
  vertexStart: number;
  vertexCount: number;
  /** First triangle and triangle count (triangles hold three vertex indices each). */
  triangleStart: number;
  triangleCount: number;
}

export interface MeshData {
  /** x, y, z per vertex in the volume's physical unit; voxel (0, 0, 0)'s centre is the origin. */
  positions: Float32Array;
  /** Three indices into all vertices per triangle, counter-clockwise seen from outside. */
  triangles: Uint32Array;
  objects: MeshObjectRange[];
  unit: string;
  /** The volume's shape (z, y, x) and voxel size, to place the mesh. */
  shape: Vec3;
  voxelSize: Vec3;
}

export type MeshSource = 'probabilities' | 'labels';

export interface MeshObjectMeasurements {
  /** unit³ */
  volume: number;
  /** unit² */
  surfaceArea: number;
  /** π^(1/3) (6V)^(2/3) / A: 1 for a ball, less for anything else. */
  sphericity: number;
  /** (x, y, z) */
  centroid: [number, number, number];
  bboxMin: [number, number, number];
  bboxMax: [number, number, number];
  vertices: number;
  triangles: number;
  /** Closed, manifold and consistently oriented (checked). */
  watertight: boolean;
}

export interface MeshSummary {
  meshId: string;
  volumeId: string;
  classId: number;
  /** The segment-all model version it was built from. */
  modelVersion: number;
  /** Meshed from the class's probability map (sub-voxel) or from its voxels in the labels. */
  source: MeshSource;
  unit: string;
  objects: MeshObjectMeasurements[];
  /** Objects dropped for being smaller than the minimum volume. */
  removed: number;
  /** Whether an object touched the volume border (it is closed along it). */
  touchesBorder: boolean;
  seconds: number;
}

export interface MeshResults {
  meshSegmentation: { jobId: string };
  measureObjects: { jobId: string };
  readMesh: MeshData;
  meshMeasurements: MeshSummary;
  exportMesh: { path: string; csv?: string };
}
