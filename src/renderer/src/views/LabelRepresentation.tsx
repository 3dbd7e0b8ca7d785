// Render-less: a byte image on the shown slice (the user's labels, a prediction, its uncertainty)
// as a translucent RGBA image just in front of the grey slice, coloured through a 256-entry table.
import type vtkImageSlice from '@kitware/vtk.js/Rendering/Core/ImageSlice';
import { useEffect } from 'react';
import type { LabelSlice } from '../../../shared/api';
import { labelsToRgba, outlinedLabelsToRgba } from '../tools/label-colours';
import type { Vec2 } from './geometry';
import { showImage, useImageActor } from './useImageActor';
import { useView } from './ViewContext';

export function LabelRepresentation({
  slice,
  spacing,
  colours,
  depth = 0.5,
  outlined = false,
}: {
  slice: LabelSlice;
  spacing: Vec2;
  colours: Uint8Array;
  /** Each region's outline opaque (the user's strokes, over a prediction in the same colours). */
  outlined?: boolean;
  /** How far in front of the grey slice; overlays at different depths never fight. */
  depth?: number;
}) {
  const view = useView();
  const parts = useImageActor(view, passColoursThrough);

  useEffect(
    () =>
      // In front of the grey slice (the camera looks along +z from negative z).
      showImage(view, parts.current!, {
        width: slice.width,
        height: slice.height,
        spacing,
        values: outlined ? outlinedLabelsToRgba(slice.data, slice.width, colours) : labelsToRgba(slice.data, colours),
        components: 4,
        depth,
      }),
    [view, parts, slice, spacing, colours, depth, outlined],
  );

  return null;
}

/** Colours pass through unchanged: a translucent 0..255 window over 8-bit RGBA. */
function passColoursThrough(actor: vtkImageSlice): void {
  actor.setForceTranslucent(true);
  actor.getProperty().setColorWindow(255);
  actor.getProperty().setColorLevel(127.5);
}
