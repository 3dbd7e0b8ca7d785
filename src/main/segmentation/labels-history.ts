// User-level undo steps over the label store. The store records one step per painted value; a
// user action that writes several classes at once (accepting a prediction) is several store steps
// that must undo together, so this keeps how many store steps each user step took.
import type { StrokeResult } from '../../shared/api/segmentation';
import type { Region, Vec3 } from '../../shared/volume';
import type { LabelStore, Stroke, StrokeDiff } from '../labels';

interface Step {
  /** Store steps in this user step. */
  count: number;
  /** The value of a single-stroke step, so a continued drag joins it as the store does. */
  value?: number;
}

const MAX_STEPS = 200;

export class LabelsHistory {
  private readonly undoSteps: Step[] = [];
  private readonly redoSteps: Step[] = [];

  constructor(readonly store: LabelStore) {}

  /** Paints strokes as one user step (a continued stroke joins the previous step). */
  paint(strokes: Stroke[], continueStroke = false): StrokeResult {
    const diffs: StrokeDiff[] = [];
    let count = 0;
    for (const stroke of strokes) {
      const joins = strokes.length === 1 && continueStroke && this.undoSteps.at(-1)?.value === stroke.value;
      const diff = this.store.paint(stroke, { continueStroke: joins });
      if (diff.indices.length === 0) continue;
      diffs.push(diff);
      if (!joins) count++;
    }
    if (diffs.length > 0) this.redoSteps.length = 0;
    if (count > 0) {
      this.undoSteps.push({ count, value: strokes.length === 1 ? strokes[0]!.value : undefined });
      if (this.undoSteps.length > MAX_STEPS) this.undoSteps.shift();
    }
    return this.result(diffs);
  }

  undo(): StrokeResult {
    return this.move(this.undoSteps, this.redoSteps, () => this.store.undo());
  }

  redo(): StrokeResult {
    return this.move(this.redoSteps, this.undoSteps, () => this.store.redo());
  }

  private move(from: Step[], to: Step[], apply: () => StrokeDiff | undefined): StrokeResult {
    const step = from.pop();
    const diffs: StrokeDiff[] = [];
    if (step) {
      for (let i = 0; i < step.count; i++) {
        const diff = apply();
        if (diff) diffs.push(diff);
      }
      to.push(step);
    }
    return this.result(diffs);
  }

  private result(diffs: StrokeDiff[]): StrokeResult {
    let changed: Region | null = null;
    let voxels = 0;
    for (const diff of diffs) {
      changed = union(changed, diff.bounds);
      voxels += diff.indices.length;
    }
    return { changed, voxels, canUndo: this.undoSteps.length > 0, canRedo: this.redoSteps.length > 0 };
  }

  get canUndo(): boolean {
    return this.undoSteps.length > 0;
  }

  get canRedo(): boolean {
    return this.redoSteps.length > 0;
  }
}

function union(a: Region | null, b: Region | null): Region | null {
  if (!a || !b) return a ?? b;
  const start = [0, 1, 2].map((i) => Math.min(a.start[i]!, b.start[i]!)) as Vec3;
  const end = [0, 1, 2].map((i) => Math.max(a.start[i]! + a.shape[i]!, b.start[i]! + b.shape[i]!));
  return { start, shape: [end[0]! - start[0], end[1]! - start[1], end[2]! - start[2]] };
}
