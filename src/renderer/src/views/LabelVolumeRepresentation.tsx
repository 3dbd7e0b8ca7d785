// Render-less: the segmentation's overview as a volume, each class in its colour and opacity (as
// the slice overlays show it), hidden classes transparent, sampled nearest so classes never blend.
import { useEffect } from 'react';
import type { VolumeOverview } from '../../../shared/api';
import { labelTransferPoints } from '../tools/transfer-function';
import { applyTransfer, useVolumeActor } from './useVolumeActor';
import { useView } from './ViewContext';

/** `colours`: RGBA per label value, 256 entries (see tools/label-colours). */
export function LabelVolumeRepresentation({ overview, colours }: { overview: VolumeOverview; colours: Uint8Array }) {
  const view = useView();
  const parts = useVolumeActor(view, overview, true);
  useEffect(() => applyTransfer(view, parts.current!, labelTransferPoints(colours)), [view, parts, colours]);
  return null;
}
