import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../shared/volume';
import { MemoryVolume } from '../engine';
import { NearestMeanEngine } from '../segmentation/nearest-mean-engine.test-helper';
import { readOverview } from '../volume/overview';
import { EventBus } from './events';
import { Jobs } from './jobs';
import { SegmentationService } from './segmentation-service';

const SHAPE: Vec3 = [24, 40, 48];
const [BACKGROUND, MATERIAL] = [1, 2];

/** Bright inside a ball of radius 9 at the centre, dark elsewhere. */
function ballVolume(): MemoryVolume {
  const data = new Uint8Array(SHAPE[0] * SHAPE[1] * SHAPE[2]);
  for (let z = 0, i = 0; z < SHAPE[0]; z++)
    for (let y = 0; y < SHAPE[1]; y++)
      for (let x = 0; x < SHAPE[2]; x++, i++) data[i] = (z - 12) ** 2 + (y - 20) ** 2 + (x - 24) ** 2 <= 81 ? 180 : 60;
  return new MemoryVolume(data, SHAPE, 'ball', { voxelSize: [2, 1, 1] });
}

describe('readSegmentationOverview', () => {
  it('is null before segment-all, then the result downsampled by the most frequent class', async () => {
    const volume = ballVolume();
    const service = new SegmentationService({
      volumes: { get: () => volume },
      jobs: new Jobs(new EventBus()),
      engine: new NearestMeanEngine(),
    });
    expect(await service.readSegmentationOverview('v', 12)).toBeNull();
    const base = { volumeId: 'v', axis: 'z' as const, index: 12, mode: 'disc' as const, erase: false };
    service.paintStroke({ ...base, points: [24, 20], radius: 4, classId: MATERIAL, continueStroke: false });
    service.paintStroke({ ...base, points: [5, 5, 10, 5], radius: 3, classId: BACKGROUND, continueStroke: false });
    await service.train('v').result;
    const modelVersion = await service.segmentAll('v').result;

    const overview = (await service.readSegmentationOverview('v', 12))!;
    expect(overview.modelVersion).toBe(modelVersion);
    expect(overview.shape).toEqual([12, 10, 12]); // steps 2, 4, 4
    expect(overview.voxelSize).toEqual([4, 4, 4]);
    expect(overview.dtype).toBe('uint8');
    const at = (z: number, y: number, x: number): number => overview.data[(z * 10 + y) * 12 + x]!;
    expect(at(6, 5, 6)).toBe(MATERIAL); // the ball's centre
    expect(at(0, 0, 0)).toBe(BACKGROUND);
    const direct = await readOverview(service.segmentationResult('v')!.volume, { maxEdge: 12, reduce: 'mode' });
    expect(overview.data).toEqual(direct.data);
  });
});

describe('readLabelOverview', () => {
  it('shows painted strokes on the overview grid, with a version that follows strokes and undo', () => {
    const volume = ballVolume();
    const service = new SegmentationService({
      volumes: { get: () => volume },
      jobs: new Jobs(new EventBus()),
      engine: new NearestMeanEngine(),
    });
    const empty = service.readLabelOverview('v', 12);
    expect(empty.shape).toEqual([12, 10, 12]); // steps 2, 4, 4: the segmentation overview's grid
    expect(empty.voxelSize).toEqual([4, 4, 4]);
    expect(empty.data.every((v) => v === 0)).toBe(true);
    // A one-voxel line along x on slice z = 12, y = 5: thinner than an overview voxel.
    const base = { volumeId: 'v', axis: 'z' as const, index: 12, mode: 'disc' as const, erase: false };
    service.paintStroke({ ...base, points: [0, 5, 47, 5], radius: 0, classId: MATERIAL, continueStroke: false });
    const painted = service.readLabelOverview('v', 12);
    expect(painted.labelsVersion).toBeGreaterThan(empty.labelsVersion);
    const at = (z: number, y: number, x: number): number => painted.data[(z * 10 + y) * 12 + x]!;
    for (let x = 0; x < 12; x++) expect(at(6, 1, x)).toBe(MATERIAL);
    expect(painted.data.filter((v) => v !== 0).length).toBe(12);
    service.undoStroke('v');
    const undone = service.readLabelOverview('v', 12);
    expect(undone.labelsVersion).not.toBe(painted.labelsVersion);
    expect(undone.data.every((v) => v === 0)).toBe(true);
  });
});
