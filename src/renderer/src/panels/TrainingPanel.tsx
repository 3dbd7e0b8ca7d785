// The model: train (or retrain live after each stroke), how the prediction and its uncertainty
// show, accepting it as labels, segment-all with progress and cancel, cleaning its result up, and
// export.
import { useState } from 'react';
import type { JobStatus } from '../../../shared/api';
import { useServices } from '../api/ClientContext';
import { Check } from '../components/Check';
import { JobProgress } from '../components/JobProgress';
import { Message } from '../components/Message';
import { PathField } from '../components/PathField';
import { SliderField } from '../components/SliderField';
import { useJob } from '../store/jobs';
import { acceptPrediction } from '../store/segmentation-actions';
import { useSegmentation } from '../store/segmentation';
import { SMOOTHING_CHOICES, useTraining } from '../store/training';
import { exportSegmentation, segmentAll, train } from '../store/training-actions';
import { useViewer } from '../store/viewer';
import { ClusterDialog } from './ClusterDialog';
import { PostprocessPanel } from './PostprocessPanel';

export function TrainingPanel() {
  const services = useServices();
  const state = useTraining();
  const training = useJob(state.jobIds.train);
  const segmenting = useJob(state.jobIds['segment-all']);
  const exporting = useJob(state.jobIds.export);
  const running = (job: JobStatus | undefined): boolean => job?.state === 'running';
  const volume = useViewer((viewer) => viewer.volume);
  const [clusterOpen, setClusterOpen] = useState(false);

  return (
    <section className="panel" data-testid="training-panel">
      <h2>Model</h2>
      <div className="history-row">
        <button
          type="button"
          className="small primary"
          onClick={() => void train(services)}
          title="Train a model on the labels"
          data-testid="train"
        >
          Train
        </button>
        <Check
          label="Live"
          checked={state.live}
          onChange={(value) => state.set({ live: value })}
          testId="live"
          title="Retrain a quick model after every stroke"
        />
        <JobStatusText job={training} testId="train-status" />
      </div>
      {!state.model && <NextStep />}
      {state.model && (
        <p className="hint" data-testid="model-info" data-seconds={state.model.seconds}>
          Model {state.model.version} ({state.model.preview ? 'preview' : 'full'}), trained in{' '}
          {state.model.seconds.toFixed(1)} s{state.model.stale ? '; labels changed since' : ''}
        </p>
      )}
      <div className="history-row">
        <Check
          label="Prediction"
          checked={state.predictionVisible}
          onChange={(value) => state.set({ predictionVisible: value })}
          testId="prediction-visible"
        />
        <input
          type="range"
          className="opacity"
          min={0}
          max={1}
          step={0.05}
          value={state.predictionOpacity}
          onChange={(event) => state.set({ predictionOpacity: Number(event.target.value) })}
          aria-label="Opacity of the prediction"
          data-testid="prediction-opacity"
        />
      </div>
      <div className="history-row">
        <Check
          label="Uncertainty"
          checked={state.uncertaintyVisible}
          onChange={(value) => state.set({ uncertaintyVisible: value })}
          testId="uncertainty-visible"
          title="Show 1 − max probability: paint where the model is unsure"
        />
        <button
          type="button"
          className="small"
          onClick={() => void acceptPrediction(services)}
          title={`Write the prediction of the ${state.lastAxis} slice at the cursor into the labels (undoable)`}
          data-testid="accept-prediction"
        >
          Accept prediction ({state.lastAxis} slice)
        </button>
      </div>
      <div className="history-row">
        <button
          type="button"
          className="small"
          disabled={running(segmenting)}
          onClick={() => void segmentAll(services)}
          title="Predict the whole volume in the background"
          data-testid="segment-all"
        >
          Segment all
        </button>
        <label
          className="field"
          title="Take each voxel's class from the probabilities averaged over it and its 26 neighbours: stray voxels on object rims go, but features one or two voxels thin (cracks) may thin out. As trained: where cross-validation on your strokes showed it helps"
        >
          <span>Smooth</span>
          <select
            value={state.smoothResult}
            onChange={(event) => state.set({ smoothResult: event.target.value as (typeof SMOOTHING_CHOICES)[number] })}
            data-testid="smooth-result"
          >
            {SMOOTHING_CHOICES.map((choice) => (
              <option key={choice} value={choice}>
                {choice}
              </option>
            ))}
          </select>
        </label>
        <Check
          label="Surfaces"
          checked={state.surfacesResult}
          onChange={(value) => state.set({ surfacesResult: value })}
          testId="surfaces-result"
          title="Refine with surfaces: mesh each class but the first from its probabilities, smooth the surfaces, drop specks and fill pinholes below the smallest object, and label the voxels the surfaces enclose (the meshes then agree with the result)"
        />
        <Check
          label="Show result"
          checked={state.resultVisible}
          onChange={(value) => state.set({ resultVisible: value })}
          testId="result-visible"
        />
      </div>
      {state.surfacesResult && (
        <div className="field-row" data-testid="surface-settings">
          <SliderField
            label="Surface smoothness"
            shown={state.surfaceSmoothness.toFixed(2)}
            value={state.surfaceSmoothness}
            step={0.05}
            onChange={(surfaceSmoothness) => state.set({ surfaceSmoothness })}
            testId="surface-smoothness"
            title="0 follows the probabilities only; 1 smooths most"
          />
          <label
            className="field"
            title="Objects of fewer voxels are given to the class around them, and cavities of fewer voxels are filled"
          >
            <span>Smallest object (voxels)</span>
            <input
              type="number"
              min={1}
              step={1}
              value={state.surfaceMinVoxels}
              placeholder="1"
              onChange={(event) => state.set({ surfaceMinVoxels: event.target.value })}
              data-testid="surface-min-voxels"
            />
          </label>
        </div>
      )}
      <div className="history-row">
        <button
          type="button"
          className="small"
          disabled={!volume}
          onClick={() => setClusterOpen(true)}
          title="Segment the whole volume as a SLURM job array: the commands for a login node"
          data-testid="run-on-cluster"
        >
          Run on cluster…
        </button>
      </div>
      {clusterOpen && volume && <ClusterDialog volume={volume} onClose={() => setClusterOpen(false)} />}
      <JobProgress job={segmenting} testId="segment-all-job" />
      <PostprocessPanel />
      <PathField
        label="Export to (.tif or .zarr)"
        value={state.exportPath}
        placeholder="/path/to/segmentation.tif"
        onChange={(exportPath) => state.set({ exportPath })}
        testId="export-path"
        pick="Export the segmentation to (.tif or .zarr)"
        grow
      />
      <div className="history-row">
        <Check
          label="Probabilities"
          checked={state.exportProbabilities}
          onChange={(value) => state.set({ exportProbabilities: value })}
          testId="export-probabilities"
          title="Also write per-class probabilities next to it (…-probabilities)"
        />
        <button
          type="button"
          className="small"
          disabled={running(exporting) || !state.exportPath.trim()}
          onClick={() => void exportSegmentation(services, state.exportPath.trim(), state.exportProbabilities)}
          data-testid="export-segmentation"
        >
          Export segmentation…
        </button>
      </div>
      <JobProgress job={exporting} testId="export-job" />
      <Message place="model" testId="training-notice" />
    </section>
  );
}

function JobStatusText({ job, testId }: { job: JobStatus | undefined; testId: string }) {
  if (!job) return null;
  const text = job.state === 'running' ? job.message || 'training…' : job.state;
  return (
    <span className="muted" data-testid={testId} data-state={job.state}>
      {text}
    </span>
  );
}

/** Until there is a model: what to do next, from the classes painted so far. */
function NextStep() {
  const classes = useSegmentation((state) => state.classes);
  const labelled = useSegmentation((state) => state.labelled);
  const unpainted = classes.filter((c) => !(labelled[c.id]! > 0));
  const painted = classes.length - unpainted.length;
  const key = unpainted[0] && unpainted[0].id <= 9 ? ` (press ${unpainted[0].id} for ${unpainted[0].name})` : '';
  return (
    <p className="hint next-step" data-testid="next-step">
      {painted === 0
        ? 'Next: paint a few strokes of at least two classes (B: brush, 1, 2 …: class), then Train.'
        : painted === 1
          ? `Next: paint another class${key}, then Train.`
          : 'Next: Train (or tick Live to retrain after every stroke).'}
    </p>
  );
}
