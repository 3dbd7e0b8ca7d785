// How long work says how far it is and hears that it should stop: one callback type and one
// options shape for every layer (volume IO, segmentation, meshing, projects, jobs).

/** `done` of `total` units of work (`total` 0 while unknown), with what it is doing now. */
export type Progress = (done: number, total: number, message?: string) => void;

/** What long work may be given: a signal that says stop, and where to report progress. */
export interface ProgressOptions {
  signal?: AbortSignal;
  progress?: Progress;
}
