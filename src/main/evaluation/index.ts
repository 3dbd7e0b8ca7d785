// Measuring segmentations without ground truth: on the strokes themselves.
//   findStrokes / splitStrokes       strokes = 26-connected pieces of each class's painted voxels
//   strokeFolds / keepStrokes        whole strokes into balanced folds; a subset up to a voxel budget
//   scoreHeldOut                     per-class recall, mean accuracy and accuracy on held-out strokes
//   crossValidateStrokes(image, strokes, segmenter, {folds, seed, budget}) → per fold and mean
//   REAL_SCANS / loadRealScan / crossValidate(scan, trainOptions, folds)   the real-scan test set
export {
  type CrossValidation,
  type CrossValidationOptions,
  type FoldResult,
  type Segmenter,
  crossValidateStrokes,
} from './held-out';
export { type LoadedScan, REAL_SCANS, REAL_SCANS_DIR, type RealScan, crossValidate, loadRealScan } from './real-scans';
export { type HeldOutScores, scoreHeldOut } from './score';
export { engineSegmenter, memorySink, surfaceSegmenter } from './segmenter';
export {
  type Stroke,
  classValues,
  findStrokes,
  keepStrokes,
  paintedVoxels,
  splitStrokes,
  strokeFolds,
  strokeLabels,
  strokeVolume,
} from './strokes';
