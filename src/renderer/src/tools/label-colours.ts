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
