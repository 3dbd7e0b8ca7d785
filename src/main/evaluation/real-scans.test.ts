// The engine on real scans, measured on held-out strokes (3-fold cross-validation by whole
// stroke). Measured 2026-12 with the default engine: the lowest per-class recall (mean over the
// folds) was 0.72 (insegt_slice1 phase 2, bone_slice trabecular bone), the lowest mean accuracy
// 0.80 (insegt_slice1). The floors sit well below and catch a model that learned nothing (one
// class everywhere gives recall 0 for the others and mean accuracy 1/K).
import { describe, expect, it } from 'vitest';
import { REAL_SCANS, crossValidate, loadRealScan } from './real-scans';

const MIN_RECALL = 0.4;
const MIN_MEAN_ACCURACY = 0.7;

describe('real-scan stroke test set', () => {
  it.each(REAL_SCANS.map((scan) => [scan.name, scan] as const))(
    '%s: every class learned, judged on held-out strokes',
    async (_, scan) => {
      const loaded = await loadRealScan(scan, 3);
      expect(loaded.image.shape).toEqual(loaded.shape);
      scan.classNames.forEach((_, k) =>
        expect(loaded.strokes.filter((s) => s.value === k + 1).length).toBeGreaterThanOrEqual(3),
      );
      const result = await crossValidate(loaded, {}, 3);
      expect(result.folds.flatMap((f) => (f.error ? [f.error] : []))).toEqual([]);
      for (const recall of result.recall) expect(recall).toBeGreaterThanOrEqual(MIN_RECALL);
      expect(result.meanAccuracy).toBeGreaterThanOrEqual(MIN_MEAN_ACCURACY);
    },
    // three trainings, each choosing its scales by cross-validation (randen15B: 5 classes, 1024²)
    240_000,
  );
});
