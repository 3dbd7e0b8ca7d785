// Render-less: the tomogram's overview as a ray-cast volume, coloured and made translucent by the
// transfer function over the volume's intensity range.
import { useEffect } from 'react';
import type { VolumeOverview } from '../../../shared/api';
import { type TransferFunction, transferPoints } from '../tools/transfer-function';
import { applyTransfer, useVolumeActor } from './useVolumeActor';
import { useView } from './ViewContext';

interface Props {
  overview: VolumeOverview;
  transfer: TransferFunction;
  /** Intensities the transfer function spans (the volume's estimated range). */
  range: [number, number];
}

export function VolumeRepresentation({ overview, transfer, range }: Props) {
  const view = useView();
  const parts = useVolumeActor(view, overview, false);
  useEffect(() => applyTransfer(view, parts.current!, transferPoints(transfer, range)), [view, parts, transfer, range]);
  return null;
}
