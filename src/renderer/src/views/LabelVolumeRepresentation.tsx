// Render-less: a label overview (the segmentation's or the user's labels) as a volume, each class in
// its colour and opacity (as the slice overlays show it), hidden classes transparent, sampled
// nearest so classes never blend.
import { useEffect } from 'react';
import type { VolumeOverview } from '../../../shared/api';
import { labelTransferPoints } from '../tools/transfer-function';
import { applyTransfer, useVolumeActor } from './useVolumeActor';
import { useView } from './ViewContext';

interface Props {
  overview: VolumeOverview;
  /** RGBA per label value, 256 entries (see tools/label-colours). */
  colours: Uint8Array;
  /** Drawn over the other volumes, so that what it shows is never hidden inside them. */
  onTop?: boolean;
}

export function LabelVolumeRepresentation({ overview, colours, onTop = false }: Props) {
  const view = useView();
  const parts = useVolumeActor(view, overview, true);
  // Again for a new overview: its actor is a new one.
  useEffect(() => applyTransfer(view, parts.current!, labelTransferPoints(colours)), [view, parts, colours, overview]);
  // vtk.js composites volumes in the order they were added: after any render of the view, which is
  // when another volume may have been added, this one moves back to the end.
  useEffect(() => {
    const actor = parts.current?.actor;
    if (!onTop || !actor || view.renderer.getViewProps().at(-1) === actor) return;
    view.renderer.removeVolume(actor);
    view.renderer.addVolume(actor);
    view.requestRender();
  });
  return null;
}
