import { describe, expect, it } from 'vitest';
import { colourTable, heatTable, labelsToRgba, outlinedLabelsToRgba, predictionTable } from './label-colours';

describe('label colours', () => {
  const classes = [
    { id: 1, name: 'Background', colour: '#0072b2' },
    { id: 2, name: 'Pores', colour: '#e69f00' },
  ];

  it('colours each class with its opacity and leaves unlabelled voxels transparent', () => {
    const table = colourTable(classes, { 2: { visible: true, opacity: 1 } });
    expect([...labelsToRgba(new Uint8Array([0, 1, 2]), table)]).toEqual([
      0, 0, 0, 0, 0, 114, 178, 128, 230, 159, 0, 255,
    ]);
  });

  it('hides invisible classes', () => {
    const table = colourTable(classes, { 1: { visible: false, opacity: 1 } });
    expect([...labelsToRgba(new Uint8Array([1]), table)]).toEqual([0, 0, 0, 0]);
  });

  it('colours a prediction with one opacity for all visible classes', () => {
    const table = predictionTable(
      classes,
      { 1: { visible: false, opacity: 1 }, 2: { visible: true, opacity: 1 } },
      0.4,
    );
    expect([...labelsToRgba(new Uint8Array([0, 1, 2]), table)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 230, 159, 0, 102]);
  });

  it('draws the outline of painted labels opaque, and their inside at the class opacity', () => {
    const table = colourTable(classes, { 1: { visible: true, opacity: 0.5 }, 2: { visible: false, opacity: 1 } });
    // a 3×3 block of class 1 in a 5×4 slice, class 2 (hidden) beside it
    const labels = Uint8Array.from(
      [
        [0, 0, 0, 0, 0],
        [0, 1, 1, 1, 2],
        [0, 1, 1, 1, 2],
        [0, 1, 1, 1, 2],
      ].flat(),
    );
    const alpha = [...outlinedLabelsToRgba(labels, 5, table)].filter((_, i) => i % 4 === 3);
    expect(alpha).toEqual(
      [
        [0, 0, 0, 0, 0],
        [0, 255, 255, 255, 0],
        [0, 255, 128, 255, 0],
        // the slice's own edge is no outline: the region may go on beyond it
        [0, 255, 128, 255, 0],
      ].flat(),
    );
  });

  it('shows uncertainty as heat: transparent when sure, opaque red when unsure', () => {
    expect([...labelsToRgba(new Uint8Array([0, 255]), heatTable(1))]).toEqual([255, 255, 0, 0, 255, 0, 0, 255]);
  });
});
