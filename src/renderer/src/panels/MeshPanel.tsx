// Surface meshes of the segment-all result: choose a class and the meshing options, build with
// progress and cancel, see the objects in the 3D view and their measurements, export STL/PLY/OBJ (+ CSV);
// or measure the class's objects from its voxels alone into a CSV.
import { useEffect } from 'react';
import type { MeshSummary } from '../../../shared/api';
import { useServices } from '../api/ClientContext';
import { JobProgress } from '../components/JobProgress';
import { Message } from '../components/Message';
import { PathField } from '../components/PathField';
import { SliderField } from '../components/SliderField';
import { useJob } from '../store/jobs';
import { buildMesh, exportMesh, measureObjects, objectColour, useMesh } from '../store/mesh';
import { useSegmentation } from '../store/segmentation';
import './MeshPanel.css';

/** Rows shown in the table; the CSV export has them all. */
const TABLE_ROWS = 200;

export function MeshPanel({ volumeId }: { volumeId: string }) {
  const services = useServices();
  const state = useMesh();
  const classes = useSegmentation((s) => s.classes);
  const job = useJob(state.jobId);
  const measuring = useJob(state.measureJobId);
  useEffect(() => useMesh.getState().reset(), [volumeId]);
  // Default to the first material class (the one after Background).
  const classId = state.classId ?? classes[1]?.id ?? classes[0]?.id ?? null;
  const running = job?.state === 'running';

  return (
    <section className="panel" data-testid="mesh-panel">
      <h2>Mesh</h2>
      <div className="field-row">
        <label className="field">
          <span>Class</span>
          <select
            value={classId ?? ''}
            onChange={(event) => state.set({ classId: Number(event.target.value) })}
            data-testid="mesh-class"
          >
            {classes.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <SliderField
          label="Smoothness"
          shown={state.smooth.toFixed(2)}
          value={state.smooth}
          step={0.05}
          onChange={(smooth) => state.set({ smooth })}
          testId="mesh-smooth"
          title="0 follows the data only; 1 smooths most"
        />
      </div>
      <div className="field-row">
        <label className="field" title="Target edge length in the volume's unit; empty: the voxel size">
          <span>Edge length</span>
          <input
            type="number"
            min={0}
            step="any"
            placeholder="voxel size"
            value={state.edgeLength}
            onChange={(event) => state.set({ edgeLength: event.target.value })}
            data-testid="mesh-edge-length"
          />
        </label>
        <label
          className="field"
          title="The probability map gives a sub-voxel surface; the labels, a staircase of voxels (used when segment-all kept no probabilities)"
        >
          <span>From</span>
          <select
            value={state.source ?? ''}
            onChange={(event) => state.set({ source: event.target.value === 'labels' ? 'labels' : null })}
            data-testid="mesh-source"
          >
            <option value="">Probabilities</option>
            <option value="labels">Labels</option>
          </select>
        </label>
        <label className="field" title="Objects with a smaller volume (unit³) are dropped; empty: one voxel's volume">
          <span>Min volume</span>
          <input
            type="number"
            min={0}
            step="any"
            value={state.minVolume}
            placeholder="1 voxel"
            onChange={(event) => state.set({ minVolume: event.target.value })}
            data-testid="mesh-min-volume"
          />
        </label>
      </div>
      <div className="history-row">
        <button
          type="button"
          className="small primary"
          disabled={running || classId === null}
          onClick={() => {
            state.set({ classId });
            void buildMesh(services, volumeId);
          }}
          title="Mesh the chosen class of the segment-all result"
          data-testid="build-mesh"
        >
          Build mesh
        </button>
      </div>
      <JobProgress job={job} testId="mesh-job" cancelTestId="mesh-cancel" />
      <PathField
        label="Objects from the voxels, without a mesh (.csv)"
        value={state.objectsPath}
        placeholder="/path/to/objects.csv"
        onChange={(objectsPath) => state.set({ objectsPath })}
        testId="objects-path"
        grow
      />
      <button
        type="button"
        className="small"
        disabled={measuring?.state === 'running' || classId === null || !state.objectsPath.trim()}
        onClick={() => classId !== null && void measureObjects(services, volumeId, classId)}
        title="Volume, equivalent diameter, centroid and box of each object of the chosen class, and the class's share of the volume"
        data-testid="measure-objects"
      >
        Measure objects
      </button>
      <JobProgress job={measuring} testId="measure-job" cancelTestId="measure-cancel" />
      {state.summary && state.data && (
        <>
          <ObjectTable summary={state.summary} />
          <PathField
            label="Export to (.stl, .ply or .obj)"
            value={state.exportPath}
            placeholder="/path/to/mesh.stl"
            onChange={(exportPath) => state.set({ exportPath })}
            testId="mesh-export-path"
            pick="Export the mesh to (.stl, .ply or .obj)"
          />
          <PathField
            label="Measurements (.csv, optional)"
            value={state.csvPath}
            placeholder="/path/to/objects.csv"
            onChange={(csvPath) => state.set({ csvPath })}
            testId="mesh-csv-path"
          />
          <button
            type="button"
            className="small"
            disabled={!state.exportPath.trim()}
            onClick={() => void exportMesh(services)}
            data-testid="export-mesh"
          >
            Export…
          </button>
        </>
      )}
      <Message place="mesh" testId="mesh-notice" />
    </section>
  );
}

function ObjectTable({ summary }: { summary: MeshSummary }) {
  const { objects, unit } = summary;
  const number = (x: number): string => x.toPrecision(4);
  return (
    <div className="mesh-objects">
      <p className="hint" data-testid="mesh-summary">
        {objects.length} object{objects.length === 1 ? '' : 's'}
        {summary.removed > 0 && `, ${summary.removed} small ones dropped`} · from the{' '}
        <span data-testid="mesh-source-used">{summary.source}</span> · {summary.seconds.toFixed(1)} s
        {objects.some((o) => !o.watertight) && ' · some not watertight'}
      </p>
      <table className="mesh-table" data-testid="mesh-table">
        <thead>
          <tr>
            <th>#</th>
            <th>Volume ({unit || 'units'}³)</th>
            <th>Area ({unit || 'units'}²)</th>
            <th>Sphericity</th>
          </tr>
        </thead>
        <tbody>
          {objects.slice(0, TABLE_ROWS).map((o, i) => (
            <tr key={i} data-testid="mesh-object">
              <td>
                <span className="mesh-swatch" style={{ background: objectColour(i) }} />
                {i + 1}
                {o.watertight ? '' : ' ⚠'}
              </td>
              <td>{number(o.volume)}</td>
              <td>{number(o.surfaceArea)}</td>
              <td>{o.sphericity.toFixed(3)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {objects.length > TABLE_ROWS && (
        <p className="hint">
          first {TABLE_ROWS} of {objects.length}; export the CSV for all
        </p>
      )}
    </div>
  );
}
