// The segmentation engine: a shallow rotation-invariant network trained from sparse labels.
//
//   computeBasis(input, paddedShape, halo, scales, aspect)   fixed Gaussian-derivative basis of a padded
//        block, in units of the shortest voxel edge (aspect: each edge relative to it)
//   trainModel(image, labels, {seed, signal, progress, ...}) → Model
//        labels: SparseLabels {shape, indices, values} or a label Volume (0 = unlabelled, 1..K)
//        chooses its basis scales, and whether to add textures (texture.ts), by cross-validation on the labels
//   predictRegion(model, volume, region, {threads, smooth}) → {shape, labels, probabilities}
//        for live previews of one slice
//   predictVolume(model, volume, {labels?, probabilities?}, {threads, blockShape, smooth, signal, progress})
//        blockwise in worker threads, streaming to writers (any RegionWriter: a VolumeWriter, a segment-all result);
//        smooth: classes from the probabilities averaged over 3×3×3 voxels (stray voxels go)
//   Both follow the voxels of the volume they predict (voxelMismatch says where those differ from training's).
//   endIdleWorkers() ends the prediction workers kept for the next prediction (and their memory)
//   loadModel(path) / saveModel(model, path, force) / parseModel(json, source)
//   backends() → which compute backends load, and which one is used
//
// Everything long takes an AbortSignal and a progress callback (done, total, message).
export { type Basis, CHANNEL_NAMES, CHANNELS_PER_SCALE, basisHalo, computeBasis } from './basis';
export { type BlockResult, predictBlock } from './block-predict';
export { type BackendReport, backends } from './backend';
export { type SparseLabels, sparseLabelsFromVolume, validateLabels } from './labels';
export { MemoryVolume } from './memory-volume';
export { ENGINE_VERSION, type Model, loadModel, parseModel, saveModel } from './model';
export { endIdleWorkers } from './pool';
export { type PredictOptions, predictRegion, predictVolume, voxelMismatch } from './predict';
export { DEFAULT_TRAINING, type TrainOptions, trainModel } from './train';
