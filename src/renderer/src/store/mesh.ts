// The mesh panel's state: meshing options, the mesh job it follows, the built mesh (measurements
// for the table, triangles for the 3D view), the export paths and its last notice.
import { create } from 'zustand';
import type { JobStatus, MeshData, MeshSource, MeshSummary } from '../../../shared/api';
import type { Services } from '../api/ClientContext';
import { errorMessage, startedJob } from './calls';

interface MeshState {
  classId: number | null;
  smooth: number;
  /** Target edge length in the volume's unit; empty = the voxel size. */
  edgeLength: string;
  /** Smallest object kept, in unit³. */
  minVolume: string;
  /** What to mesh; null: the class's probabilities when segment-all kept them, else its labels. */
  source: MeshSource | null;
  job: JobStatus | null;
  summary: MeshSummary | null;
  data: MeshData | null;
  exportPath: string;
  csvPath: string;
  notice: string | null;
  set(partial: Partial<Omit<MeshState, 'set' | 'reset'>>): void;
  reset(): void;
}

const initial = {
  classId: null,
  smooth: 0.5,
  edgeLength: '',
  minVolume: '0',
  source: null,
  job: null,
  summary: null,
  data: null,
  exportPath: '',
  csvPath: '',
  notice: null,
};

export const useMesh = create<MeshState>()((set) => ({
  ...initial,
  set: (partial) => set(partial),
  reset: () => set(initial),
}));

/** Distinct colours for neighbouring objects (Trubetskoy's palette), cycled. */
const OBJECT_COLOURS = [
  '#e6194b',
  '#3cb44b',
  '#4363d8',
  '#f58231',
  '#911eb4',
  '#42d4f4',
  '#f032e6',
  '#bfef45',
  '#469990',
  '#dcbeff',
];
export const objectColour = (index: number): string => OBJECT_COLOURS[index % OBJECT_COLOURS.length]!;

/** Starts meshing the chosen class with the panel's options. */
export async function buildMesh({ client }: Services, volumeId: string): Promise<void> {
  const { classId, smooth, edgeLength, minVolume, source, set } = useMesh.getState();
  if (classId === null) return set({ notice: 'Choose a class to mesh.' });
  const number = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text));
  try {
    set({ notice: null, job: null, summary: null, data: null });
    const { jobId } = await client.api.meshSegmentation({
      volumeId,
      classId,
      smooth,
      edgeLength: number(edgeLength),
      minVolume: number(minVolume),
      ...(source ? { source } : {}),
    });
    // its first events may have arrived before this answer
    if (useMesh.getState().job?.id !== jobId) set({ job: startedJob(jobId, 'mesh') });
  } catch (error) {
    set({ notice: errorMessage(error) });
  }
}

/** Follows the mesh job's events; loads the mesh and its table when it is done. */
export function watchMeshJobs({ client }: Services): () => void {
  return client.onEvent((event) => {
    const { job, set } = useMesh.getState();
    if (event.type !== 'job' || event.job.kind !== 'mesh' || (job && job.id !== event.job.id)) return;
    const current = event.job;
    set({ job: current });
    if (current.state === 'failed') set({ notice: current.error ?? 'meshing failed' });
    if (current.state === 'cancelled') set({ notice: 'Meshing cancelled' });
    if (current.state !== 'done') return;
    Promise.all([
      client.api.meshMeasurements({ meshId: current.id }),
      client.api.readMesh({ meshId: current.id }),
    ]).then(
      ([summary, data]) => {
        if (useMesh.getState().job?.id === current.id) set({ summary, data });
      },
      (error: unknown) => set({ notice: errorMessage(error) }),
    );
  });
}

export async function exportMesh({ client }: Services): Promise<void> {
  const { summary, exportPath, csvPath, set } = useMesh.getState();
  if (!summary) return;
  try {
    const written = await client.api.exportMesh({
      meshId: summary.meshId,
      path: exportPath.trim(),
      ...(csvPath.trim() ? { csv: csvPath.trim() } : {}),
    });
    set({ notice: `Exported to ${written.path}${written.csv ? ` and ${written.csv}` : ''}` });
  } catch (error) {
    set({ notice: errorMessage(error) });
  }
}
