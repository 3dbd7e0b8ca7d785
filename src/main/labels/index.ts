export { BLOCK, LabelStore } from './label-store';
export type { LabelStoreOptions, LabelledVoxels, Stroke, StrokeDiff, StrokeShape } from './label-store';
export { labelOverview } from './label-overview';
export { LabelOverviewCache } from './label-overview-cache';
