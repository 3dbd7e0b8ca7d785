import { describe, expect, it } from 'vitest';
import { diceScores, makePhantom, paintLabels, sampleLabels } from '.';

describe('phantoms', () => {
  it('are deterministic from the seed and hold every class', async () => {
    const a = await makePhantom('fibres-pores', [24, 32, 32], 3);
    const b = await makePhantom('fibres-pores', [24, 32, 32], 3);
    const c = await makePhantom('fibres-pores', [24, 32, 32], 4);
    expect(a.image).toEqual(b.image);
    expect(a.truth).toEqual(b.truth);
    expect(a.image).not.toEqual(c.image);
    for (const value of [1, 2, 3]) expect(a.truth.includes(value)).toBe(true);
  });

  it('gives fibres and pores the same grey value (only shape separates them)', async () => {
    const p = await makePhantom('fibres-pores', [48, 48, 48], 1);
    const mean = (value: number): number => {
      let sum = 0;
      let count = 0;
      // cores only: away from the blur at boundaries
      p.truth.forEach((t, i) => {
        if (t === value) {
          sum += p.image[i]!;
          count++;
        }
      });
      return sum / count;
    };
    const [matrix, fibre, pore] = [mean(1), mean(2), mean(3)];
    expect(Math.abs(fibre - pore) / (matrix - pore)).toBeLessThan(0.15);
  });

  it('paints discs inside the structures, on the chosen slices only', async () => {
    const p = await makePhantom('rotated-fibres', [32, 40, 40], 2);
    const labels = paintLabels(p.truth, p.shape, 3, { slices: [2, 5], discs: 4 });
    const slice = 40 * 40;
    labels.forEach((v, i) => {
      if (v === 0) return;
      expect([2, 5]).toContain(Math.floor(i / slice));
      expect(p.truth[i]).toBe(v);
    });
    for (const value of [1, 2, 3]) expect(labels.includes(value)).toBe(true);
  });

  it('samples the true class of about the asked fraction of voxels, boundaries included', async () => {
    const p = await makePhantom('fibres-pores', [32, 40, 40], 2);
    const labels = sampleLabels(p.truth, 0.05);
    let count = 0;
    labels.forEach((v, i) => {
      if (v === 0) return;
      count++;
      expect(v).toBe(p.truth[i]);
    });
    expect(count / labels.length).toBeGreaterThan(0.04);
    expect(count / labels.length).toBeLessThan(0.06);
    for (const value of [1, 2, 3]) expect(labels.includes(value)).toBe(true);
  });

  it('scores Dice on unlabelled voxels only', () => {
    const truth = Uint8Array.from([1, 1, 2, 2]);
    const predicted = Uint8Array.from([1, 2, 2, 2]);
    const labels = Uint8Array.from([0, 0, 0, 2]);
    const scores = diceScores(predicted, truth, labels, 2);
    expect(scores.dice[0]).toBeCloseTo(2 / 3);
    expect(scores.dice[1]).toBeCloseTo(2 / 3);
    expect(scores.accuracy).toBeCloseTo(2 / 3);
  });
});
