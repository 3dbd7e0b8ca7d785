import { describe, expect, it } from 'vitest';
import { colourTable, heatTable, labelsToRgba, predictionTable } from './label-colours';

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

  it('shows uncertainty as heat: transparent when sure, opaque red when unsure', () => {
    expect([...labelsToRgba(new Uint8Array([0, 255]), heatTable(1))]).toEqual([255, 255, 0, 0, 255, 0, 0, 255]);
  });
});
