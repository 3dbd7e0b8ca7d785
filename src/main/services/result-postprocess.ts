// Post-processing the segment-all result shown, as jobs: a step applies to the current result
// (which then replaces it in the views, meshes, exports and saves); undo recomputes the remaining
// steps from the result before post-processing, kept while there are steps.
import { TomosegError, badInput } from '../../shared/errors';
import type { PostprocessStep } from '../../shared/postprocess';
import { agreeingProbabilities, postprocess } from '../postprocess/postprocess';
import type { FinishedResult } from '../segmentation/outputs';
import type { ResultPlace } from '../segmentation/whole-volume';
import type { Jobs } from './jobs';
import type { Session } from './segmentation-sessions';

export type ResultChange = { add: PostprocessStep } | 'undo';

/** Starts the job that applies `change` to the session's result; its value is the number of steps after it. */
export function postprocessResult(
  session: Session,
  volumeId: string,
  change: ResultChange,
  { jobs, place }: { jobs: Jobs; place?: ResultPlace | undefined },
): { id: string; result: Promise<number> } {
  const result = session.result;
  if (!result) throw badInput('there is no segment-all result to post-process: run "Segment all" first');
  for (const kind of ['segment-all', 'postprocess'] as const) {
    const running = jobs.runningOn(volumeId, kind);
    if (running) throw new TomosegError('conflict', `${kind} of this volume is running (job ${running}): wait for it`);
  }
  if (change === 'undo' && result.steps.length === 0) throw badInput('the result has no post-processing to undo');
  if (change === 'undo' && !result.original)
    throw badInput(
      'the result before post-processing was not kept (the project saves only the last): run "Segment all" again',
    );
  const className = (value: number): string =>
    session.classes.has(value) ? `"${session.classes.get(value).name}"` : `class ${value}`;
  return jobs.start(
    'postprocess',
    async ({ signal, progress }) => {
      const original = result.original ?? result.stored;
      const steps = change === 'undo' ? result.steps.slice(0, -1) : [...result.steps, change.add];
      // a new step applies to what is shown; an undo replays the others from the original
      const [from, todo] = change === 'undo' ? [original, steps] : [result.stored, [change.add]];
      // read while a new segment-all may replace (and dispose) them
      const release = from.hold();
      let cleaned: FinishedResult;
      try {
        cleaned =
          todo.length === 0 ? original : await postprocess(from.volume, todo, { place, signal, progress, className });
      } finally {
        release();
      }
      const stored = cleaned === original ? original : agreeing(original, cleaned);
      if (session.result !== result) {
        // replaced meanwhile (a new segment-all, a project opened): this one is not wanted
        if (stored !== original) await stored.dispose();
        throw new TomosegError('conflict', 'the segment-all result changed while it was post-processed');
      }
      const { original: _, ...kept } = result;
      session.result = { ...kept, stored, steps, ...(steps.length > 0 && { original }) };
      if (result.stored !== original) await result.stored.dispose();
      return steps.length;
    },
    volumeId,
  );
}

/**
 * The cleaned labels with probabilities that agree with them (meshes follow the cleaning); held,
 * it holds the original too, whose probabilities it reads.
 */
function agreeing(original: FinishedResult, cleaned: FinishedResult): FinishedResult {
  return {
    ...cleaned,
    ...(original.probabilities && {
      probabilities: agreeingProbabilities(
        { volume: original.volume, probabilities: original.probabilities },
        cleaned.volume,
      ),
    }),
    hold: () => {
      const releases = [cleaned.hold(), original.hold()];
      return () => releases.forEach((release) => release());
    },
  };
}
