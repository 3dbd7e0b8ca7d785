export { BLOCK, LabelStore } from './label-store';
export type { LabelledVoxels } from './label-store';
export type { Stroke, StrokeShape } from './brush';
export type { StrokeDiff } from './diff';
export { LabelHistory, UNDO_LIMIT } from './history';
export { labelOverview } from './label-overview';
export { LabelOverviewCache } from './label-overview-cache';
