// The one undo history of a volume's labels. Each undo step is one user action: a stroke (a drag
// sent in pieces joins its step, as napari groups a drag's "atoms"), or several strokes made at
// once (accepting a prediction writes one per class). A step keeps the sparse diffs its strokes
// made; undo reverts them newest first, redo applies them again. The oldest steps are forgotten
// beyond `limit`.
import type { StrokeResult } from '../../shared/api/segmentation';
import type { Region, Vec3 } from '../../shared/volume';
import type { Stroke } from './brush';
import type { StrokeDiff } from './diff';
import type { LabelStore } from './label-store';

export const UNDO_LIMIT = 200;

interface Step {
  diffs: StrokeDiff[];
  /** The value a single-stroke step painted, so a continued drag of the same value joins it. */
  value?: number;
}

export class LabelHistory {
  private readonly undoSteps: Step[] = [];
  private readonly redoSteps: Step[] = [];

  constructor(
    readonly store: LabelStore,
    private readonly limit = UNDO_LIMIT,
  ) {}

  get canUndo(): boolean {
    return this.undoSteps.length > 0;
  }

  get canRedo(): boolean {
    return this.redoSteps.length > 0;
  }

  /**
   * Paints one stroke as one step. With `continueStroke` it joins the previous step when that was
   * one stroke of the same value (a drag sent in pieces stays one undo step).
   */
  paint(stroke: Stroke, { continueStroke = false }: { continueStroke?: boolean } = {}): StrokeDiff {
    const last = this.undoSteps.at(-1);
    const joins = continueStroke && last?.value === stroke.value;
    const diff = this.store.paint(stroke);
    if (diff.indices.length === 0) return diff;
    if (joins) {
      last.diffs.push(diff);
      this.redoSteps.length = 0;
    } else this.push({ diffs: [diff], value: stroke.value });
    return diff;
  }

  /** Paints several strokes as one step; returns each stroke's diff. */
  paintTogether(strokes: Stroke[]): StrokeDiff[] {
    const diffs = strokes.map((stroke) => this.store.paint(stroke));
    const changed = diffs.filter((diff) => diff.indices.length > 0);
    if (changed.length > 0) this.push({ diffs: changed });
    return diffs;
  }

  /** Reverts the last step; returns the diffs it reverted (none when there was nothing to undo). */
  undo(): StrokeDiff[] {
    const step = this.undoSteps.pop();
    if (!step) return [];
    for (let i = step.diffs.length - 1; i >= 0; i--) this.store.revert(step.diffs[i]!);
    this.redoSteps.push(step);
    return step.diffs;
  }

  redo(): StrokeDiff[] {
    const step = this.redoSteps.pop();
    if (!step) return [];
    for (const diff of step.diffs) this.store.apply(diff);
    this.undoSteps.push(step);
    return step.diffs;
  }

  /** What `diffs` changed, as the API answers a stroke, undo or redo. */
  result(diffs: StrokeDiff[]): StrokeResult {
    let changed: Region | null = null;
    let voxels = 0;
    for (const diff of diffs) {
      changed = union(changed, diff.bounds);
      voxels += diff.indices.length;
    }
    const labelled = Object.fromEntries(this.store.classCounts().flatMap((n, value) => (n > 0 ? [[value, n]] : [])));
    return { changed, voxels, canUndo: this.canUndo, canRedo: this.canRedo, labelled };
  }

  private push(step: Step): void {
    this.undoSteps.push(step);
    if (this.undoSteps.length > this.limit) this.undoSteps.shift();
    this.redoSteps.length = 0;
  }
}

function union(a: Region | null, b: Region | null): Region | null {
  if (!a || !b) return a ?? b;
  const start = [0, 1, 2].map((i) => Math.min(a.start[i]!, b.start[i]!)) as Vec3;
  const end = [0, 1, 2].map((i) => Math.max(a.start[i]! + a.shape[i]!, b.start[i]! + b.shape[i]!));
  return { start, shape: [end[0]! - start[0], end[1]! - start[1], end[2]! - start[2]] };
}
