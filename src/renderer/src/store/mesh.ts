// The mesh panel's state: meshing options, the mesh job it follows, the built mesh (measurements
// for the table, triangles for the 3D view) and the export paths.
import { create } from 'zustand';
import type { JobStatus, MeshData, MeshSource, MeshSummary } from '../../../shared/api';
import type { Services } from '../api/ClientContext';
import { typedNumber } from '../lib/format';
import { replaceIfAsked } from '../lib/replace';
import { startJob } from './jobs';
import { clearMessage, say, sayError } from './messages';

interface MeshState {
  classId: number | null;
  smooth: number;
  /** Target edge length in the volume's unit; empty = the voxel size. */
  edgeLength: string;
  /** Smallest object kept, in unit³. */
  minVolume: string;
  /** What to mesh; null: the class's probabilities when segment-all kept them, else its labels. */
  source: MeshSource | null;
  /** The mesh job followed (see store/jobs). */
  jobId: string | null;
  summary: MeshSummary | null;
  data: MeshData | null;
  exportPath: string;
  csvPath: string;
  /** Where the table of the class's objects measured from its voxels goes, and the job writing it. */
  objectsPath: string;
  measureJobId: string | null;
  set(partial: Partial<Omit<MeshState, 'set' | 'reset'>>): void;
  reset(): void;
}

const initial = {
  classId: null,
  smooth: 0.5,
  edgeLength: '',
  minVolume: '', // empty: one voxel's volume, as in `tomoseg mesh`
  source: null,
  jobId: null,
  summary: null,
  data: null,
  exportPath: '',
  csvPath: '',
  objectsPath: '',
  measureJobId: null,
};

export const useMesh = create<MeshState>()((set) => ({
  ...initial,
  set: (partial) => set(partial),
  reset: () => {
    set(initial);
    clearMessage('mesh');
  },
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

/** Starts meshing the chosen class with the panel's options; loads the mesh and its table when it is done. */
export async function buildMesh(services: Services, volumeId: string): Promise<void> {
  const { client } = services;
  const { classId, smooth, edgeLength, minVolume, source, set } = useMesh.getState();
  if (classId === null) return say('mesh', 'error', 'Choose a class to mesh.');
  try {
    clearMessage('mesh');
    set({ jobId: null, summary: null, data: null });
    await startJob(
      'mesh',
      () =>
        client.api.meshSegmentation({
          volumeId,
          classId,
          smooth,
          edgeLength: typedNumber(edgeLength),
          minVolume: typedNumber(minVolume),
          ...(source ? { source } : {}),
        }),
      { started: (jobId) => set({ jobId }), ended: (job) => settle(services, job) },
    );
  } catch (error) {
    sayError('mesh', error);
  }
}

function settle({ client }: Services, job: JobStatus): void {
  const { jobId, set } = useMesh.getState();
  if (jobId !== job.id) return; // the panel was reset meanwhile
  if (job.state === 'failed') say('mesh', 'error', job.error ?? 'meshing failed');
  if (job.state === 'cancelled') say('mesh', 'warning', 'Meshing cancelled');
  if (job.state !== 'done') return;
  Promise.all([client.api.meshMeasurements({ meshId: job.id }), client.api.readMesh({ meshId: job.id })]).then(
    ([summary, data]) => {
      if (useMesh.getState().jobId === job.id) set({ summary, data });
    },
    (error: unknown) => sayError('mesh', error),
  );
}

export async function exportMesh({ client }: Services): Promise<void> {
  const { summary, exportPath, csvPath } = useMesh.getState();
  if (!summary) return;
  try {
    const written = await replaceIfAsked((overwrite) =>
      client.api.exportMesh({
        meshId: summary.meshId,
        path: exportPath.trim(),
        ...(csvPath.trim() ? { csv: csvPath.trim() } : {}),
        overwrite,
      }),
    );
    say('mesh', 'done', `Exported to ${written.path}${written.csv ? ` and ${written.csv}` : ''}`);
  } catch (error) {
    sayError('mesh', error);
  }
}

/** Measures the chosen class's objects from the segment-all result's voxels into a CSV (no mesh needed). */
export async function measureObjects({ client }: Services, volumeId: string, classId: number): Promise<void> {
  const { objectsPath, set } = useMesh.getState();
  const csv = objectsPath.trim();
  try {
    clearMessage('mesh');
    await replaceIfAsked((overwrite) =>
      startJob('measure', () => client.api.measureObjects({ volumeId, classId, csv, overwrite }), {
        started: (measureJobId) => set({ measureJobId }),
        ended: (job) => {
          if (job.state === 'done') say('mesh', 'done', `${job.message}: written to ${csv}`);
          if (job.state === 'failed') say('mesh', 'error', job.error ?? 'measuring failed');
          if (job.state === 'cancelled') say('mesh', 'warning', 'Measuring cancelled');
        },
      }),
    );
  } catch (error) {
    sayError('mesh', error);
  }
}
