// The model tools' state: live retraining, how the prediction, its uncertainty and the segment-all
// result are shown, and the jobs the panel follows (training, segment-all, post-processing, export;
// see store/jobs).
import { create } from 'zustand';
import type { JobKind, SegmentationState } from '../../../shared/api';
import type { Axis } from '../../../shared/volume';
import { clearMessage } from './messages';

/** Whether segment all smooths: as the engine chose in training, always, or never. */
export const SMOOTHING_CHOICES = ['as trained', 'always', 'never'] as const;

/** The job kinds the segmentation service runs. */
export type TrainingJobKind = Extract<JobKind, 'train' | 'segment-all' | 'postprocess' | 'export'>;

interface TrainingState {
  /** Retrain a preview model after every stroke. */
  live: boolean;
  predictionVisible: boolean;
  /** 0..1, separate from the labels' opacity. */
  predictionOpacity: number;
  /** Show 1 − max p as a heat overlay instead of the predicted classes. */
  uncertaintyVisible: boolean;
  resultVisible: boolean;
  /**
   * Whether segment all takes each class from the probabilities averaged over 3×3×3 voxels: as the
   * engine chose in training (where cross-validation on the strokes showed it helps), or always, or never.
   */
  smoothResult: (typeof SMOOTHING_CHOICES)[number];
  /** Segment all labels through the classes' refined surfaces. */
  surfacesResult: boolean;
  /** Their smoothing weight in [0, 1]. */
  surfaceSmoothness: number;
  /** Objects and cavities below this many voxels go (as typed; checked by the service). */
  surfaceMinVoxels: string;
  /** The current model as the service last described it; null before training. */
  model: SegmentationState['model'];
  /** The segment-all result as the service last described it (its post-processing); null before one. */
  result: SegmentationState['segmentation'];
  /** The newest job of each kind started here, by id. */
  jobIds: Partial<Record<TrainingJobKind, string>>;
  /** The slice axis last painted on: "accept prediction" takes that slice. */
  lastAxis: Axis;
  exportPath: string;
  exportProbabilities: boolean;
  set(partial: Partial<Omit<TrainingState, 'set' | 'reset'>>): void;
  reset(): void;
}

const initial = {
  live: false,
  predictionVisible: true,
  predictionOpacity: 0.4,
  uncertaintyVisible: false,
  resultVisible: true,
  smoothResult: SMOOTHING_CHOICES[0],
  surfacesResult: false,
  surfaceSmoothness: 0.5,
  surfaceMinVoxels: '1',
  model: null,
  result: null,
  jobIds: {},
  lastAxis: 'z' as Axis,
  exportPath: '',
  exportProbabilities: false,
};

export const useTraining = create<TrainingState>()((set) => ({
  ...initial,
  set: (partial) => set(partial),
  reset: () => {
    set(initial);
    clearMessage('model');
  },
}));
