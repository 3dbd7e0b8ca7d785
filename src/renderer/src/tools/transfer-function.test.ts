import { describe, expect, it } from 'vitest';
import { PRESETS, labelTransferPoints, rgb, transferPoints } from './transfer-function';

describe('transferPoints', () => {
  it('spreads the colour map over the range and ramps opacity between low and high', () => {
    const { colours, opacities } = transferPoints(
      { colourMap: 'Grey', low: 0.25, high: 0.75, invert: false, opacity: 0.5 },
      [100, 500],
    );
    expect(colours).toEqual([
      [100, 0, 0, 0],
      [500, 1, 1, 1],
    ]);
    expect(opacities).toEqual([
      [100, 0],
      [200, 0],
      [400, 0.5],
      [500, 0.5],
    ]);
  });

  it('makes low intensities opaque when inverted, as the pores preset does', () => {
    const { opacities } = transferPoints(PRESETS['Pores / low density'], [0, 200]);
    expect(opacities[0]).toEqual([0, 0.6]);
    expect(opacities.at(-1)).toEqual([200, 0]);
    expect(opacities.map(([x]) => x)).toEqual([...opacities.map(([x]) => x)].sort((a, b) => a - b));
  });

  it('keeps the ramp increasing when low and high cross or the range is empty', () => {
    const { opacities } = transferPoints({ colourMap: 'Hot', low: 0.8, high: 0.2, invert: false, opacity: 1 }, [5, 5]);
    for (let i = 1; i < opacities.length; i++) expect(opacities[i]![0]).toBeGreaterThan(opacities[i - 1]![0]);
  });
});

describe('labelTransferPoints', () => {
  it('gives each label value its class colour and opacity, transparent where no class shows', () => {
    const table = new Uint8Array(256 * 4);
    table.set([255, 0, 0, 128], 2 * 4);
    const { colours, opacities } = labelTransferPoints(table);
    const opacityAt = (v: number): number => opacities.find(([x]) => Math.abs(x - v) < 0.5)![1];
    expect(opacityAt(0)).toBe(0);
    expect(opacityAt(1)).toBe(0);
    expect(opacityAt(2)).toBeCloseTo(128 / 255);
    expect(opacityAt(3)).toBe(0);
    expect(colours.find(([x]) => Math.abs(x - 2) < 0.5)!.slice(1)).toEqual([1, 0, 0]);
  });
});

it('rgb reads #rrggbb', () => expect(rgb('#ff8000')).toEqual([1, 128 / 255, 0]));
