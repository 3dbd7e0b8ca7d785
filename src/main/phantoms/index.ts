// Tomogram-like phantoms with a known truth, and sparse labels painted the way a person paints
// them, for tests and benchmarks. Everything is deterministic from a seed.
//   fibres-pores    fibres and pores of the same grey value in a matrix: only 3D shape separates them
//   rotated-fibres  like fibres-pores, but the first quarter in z (where the labels are painted)
//                   has fibres along x only, the rest in all orientations: only rotation
//                   invariance generalises
//   binary          a noisy two-phase microstructure: intensity separates the classes
export { paintLabels, sampleLabels, type PaintOptions } from './labels';
export {
  makePhantom,
  type Phantom,
  type PhantomKind,
  type PhantomSettings,
  PHANTOM_KINDS,
  STANDARD_PHANTOM,
} from './phantom';
export { diceScores, type Scores } from './score';
