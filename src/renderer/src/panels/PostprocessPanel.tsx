// Cleaning the segment-all result up: one step at a time on a class (fill holes, remove small
// objects, keep the largest, open, close), each undoable; the views, meshes, exports and saves
// then use the cleaned result.
import { useState } from 'react';
import {
  MAX_RADIUS,
  type PostprocessOp,
  STEP_PARAMETER,
  describeStep,
  postprocessStep,
} from '../../../shared/postprocess';
import { useServices } from '../api/ClientContext';
import { JobProgress } from '../components/JobProgress';
import { useJob } from '../store/jobs';
import { useSegmentation } from '../store/segmentation';
import { useTraining } from '../store/training';
import { postprocessResult } from '../store/training-actions';

const OPS: { op: PostprocessOp; label: string; title: string }[] = [
  { op: 'fill-holes', label: 'Fill holes', title: 'What the class encloses (not reaching the edge) becomes the class' },
  {
    op: 'remove-small',
    label: 'Remove small objects',
    title: 'Objects below the size take the class around them',
  },
  { op: 'keep-largest', label: 'Keep largest object', title: 'Every other object takes the class around it' },
  {
    op: 'open',
    label: 'Open',
    title: 'Removes parts thinner than a ball of the radius (they go to the nearest class)',
  },
  { op: 'close', label: 'Close', title: 'Fills gaps thinner than a ball of the radius' },
];

export function PostprocessPanel() {
  const services = useServices();
  const result = useTraining((state) => state.result);
  const job = useJob(useTraining((state) => state.jobIds.postprocess));
  const classes = useSegmentation((state) => state.classes);
  const [op, setOp] = useState<PostprocessOp>('fill-holes');
  const [classValue, setClassValue] = useState<number | null>(null);
  const [amount, setAmount] = useState({ minVoxels: '100', radius: '1' });
  if (!result) return null;
  const chosen = classes.find((c) => c.id === classValue) ?? classes.at(-1);
  const parameter = STEP_PARAMETER[op];
  // the API's own schema says whether the step is one it takes
  const step = postprocessStep.safeParse({
    op,
    classValue: chosen?.id,
    ...(parameter && { [parameter]: Number(amount[parameter]) }),
  }).data;
  const running = job?.state === 'running';
  const name = (value: number): string => classes.find((c) => c.id === value)?.name ?? `class ${value}`;

  return (
    <div className="postprocess" data-testid="postprocess">
      <h3>Clean up the result</h3>
      <div className="field-row">
        <label className="field">
          <span>Step</span>
          <select
            value={op}
            onChange={(event) => setOp(event.target.value as PostprocessOp)}
            title={OPS.find((o) => o.op === op)?.title}
            data-testid="postprocess-op"
          >
            {OPS.map((o) => (
              <option key={o.op} value={o.op}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Class</span>
          <select
            value={chosen?.id ?? ''}
            onChange={(event) => setClassValue(Number(event.target.value))}
            data-testid="postprocess-class"
          >
            {classes.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        {parameter && (
          <label className="field">
            <span>{parameter === 'radius' ? 'Radius (voxels)' : 'Below (voxels)'}</span>
            <input
              type="number"
              min={parameter === 'radius' ? 1 : 2}
              max={parameter === 'radius' ? MAX_RADIUS : undefined}
              step={1}
              value={amount[parameter]}
              onChange={(event) => setAmount({ ...amount, [parameter]: event.target.value })}
              data-testid="postprocess-amount"
            />
          </label>
        )}
      </div>
      <div className="history-row">
        <button
          type="button"
          className="small"
          disabled={running || !step}
          onClick={() => step && void postprocessResult(services, step)}
          data-testid="postprocess-apply"
        >
          Apply
        </button>
        <button
          type="button"
          className="small"
          disabled={running || !result.canUndoPostprocess}
          onClick={() => void postprocessResult(services, 'undo')}
          title="Take the last step back"
          data-testid="postprocess-undo"
        >
          Undo step
        </button>
      </div>
      {result.smooth && (
        <p className="hint" data-testid="result-smoothed">
          Each class taken from its probabilities smoothed over 3×3×3 voxels
        </p>
      )}
      {result.surfaces && (
        <p className="hint" data-testid="result-surfaces">
          Labelled through surfaces (smoothness {result.surfaces.smoothness}, objects and cavities below{' '}
          {result.surfaces.minVoxels} voxel{result.surfaces.minVoxels === 1 ? '' : 's'} dropped)
        </p>
      )}
      {result.postprocess.length > 0 && (
        <ol className="hint steps" data-testid="postprocess-steps">
          {result.postprocess.map((step, i) => (
            <li key={i}>{describeStep(step, name(step.classValue))}</li>
          ))}
        </ol>
      )}
      <JobProgress job={job} testId="postprocess-job" />
    </div>
  );
}
