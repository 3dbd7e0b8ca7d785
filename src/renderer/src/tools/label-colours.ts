// The label overlay's pure model: a class colour table and the RGBA picture of a label slice.
import type { SegmentationClass } from '../../../shared/api';
import { type ClassDisplay, displayOf } from '../store/segmentation';

/** RGBA per label value 0..255; unlabelled and hidden classes are transparent. */
export function colourTable(classes: readonly SegmentationClass[], display: Record<number, ClassDisplay>): Uint8Array {
  const table = new Uint8Array(256 * 4);
  for (const c of classes) {
    const { visible, opacity } = displayOf(display, c.id);
    if (!visible) continue;
    const rgb = Number.parseInt(c.colour.slice(1), 16);
    table.set([(rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255, Math.round(opacity * 255)], c.id * 4);
  }
  return table;
}

export function labelsToRgba(labels: Uint8Array, table: Uint8Array): Uint8Array {
  const rgba = new Uint8Array(labels.length * 4);
  const words = new Uint32Array(rgba.buffer);
  const colours = new Uint32Array(table.buffer, table.byteOffset, 256);
  for (let i = 0; i < labels.length; i++) words[i] = colours[labels[i]!]!;
  return rgba;
}

/**
 * labelsToRgba with each painted region's outline opaque: the pixels of a visible class next to
 * (left, right, above, below) a pixel of another value. The user's strokes use the same colours
 * as the prediction under them; the outline keeps them apart.
 */
export function outlinedLabelsToRgba(labels: Uint8Array, width: number, table: Uint8Array): Uint8Array {
  const rgba = labelsToRgba(labels, table);
  const height = labels.length / width;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const value = labels[i]!;
      if (value === 0 || rgba[4 * i + 3] === 0) continue;
      const edge =
        (x > 0 && labels[i - 1] !== value) ||
        (x < width - 1 && labels[i + 1] !== value) ||
        (y > 0 && labels[i - width] !== value) ||
        (y < height - 1 && labels[i + width] !== value);
      if (edge) rgba[4 * i + 3] = 255;
    }
  return rgba;
}

/** The class colours of a prediction: the classes' visibility, one opacity for all. */
export function predictionTable(
  classes: readonly SegmentationClass[],
  display: Record<number, ClassDisplay>,
  opacity: number,
): Uint8Array {
  const table = colourTable(classes, display);
  const alpha = Math.round(opacity * 255);
  for (let i = 3; i < table.length; i += 4) if (table[i]! > 0) table[i] = alpha;
  return table;
}

/** Uncertainty 0..255 as heat: transparent where sure, yellow to red and more opaque where unsure. */
export function heatTable(opacity: number): Uint8Array {
  const table = new Uint8Array(256 * 4);
  for (let v = 0; v < 256; v++) table.set([255, 255 - v, 0, Math.round(opacity * v)], v * 4);
  return table;
}
