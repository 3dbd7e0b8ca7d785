// The vtk.js part that the tomogram and segmentation volume representations share: a ray-cast
// volume of an overview, placed in the volume's physical coordinates, with its own colour and
// opacity functions; owned by the calling component and deleted with it.
import '@kitware/vtk.js/Rendering/OpenGL/Volume';
import '@kitware/vtk.js/Rendering/OpenGL/VolumeMapper';
import vtkDataArray from '@kitware/vtk.js/Common/Core/DataArray';
import vtkPiecewiseFunction from '@kitware/vtk.js/Common/DataModel/PiecewiseFunction';
import vtkImageData from '@kitware/vtk.js/Common/DataModel/ImageData';
import vtkColorTransferFunction from '@kitware/vtk.js/Rendering/Core/ColorTransferFunction';
import vtkVolume from '@kitware/vtk.js/Rendering/Core/Volume';
import vtkVolumeMapper from '@kitware/vtk.js/Rendering/Core/VolumeMapper';
import { type RefObject, useEffect, useRef } from 'react';
import type { VolumeOverview } from '../../../shared/api';
import type { Vec3 } from '../../../shared/volume';
import { type TransferPoints, opacityUnitDistance } from '../tools/transfer-function';
import { textureValues } from './texture';
import type { ViewHandle } from './ViewContext';

export interface VolumeActor {
  actor: vtkVolume;
  colours: vtkColorTransferFunction;
  opacity: vtkPiecewiseFunction;
}

/** Shows `overview` in `view`; `nearest` keeps label values whole (no blend of two classes). */
export function useVolumeActor(
  view: ViewHandle,
  overview: VolumeOverview,
  nearest: boolean,
): RefObject<VolumeActor | null> {
  const parts = useRef<VolumeActor | null>(null);
  useEffect(() => {
    const [nz, ny, nx] = overview.shape;
    const spacing = [...overview.voxelSize].reverse() as Vec3;
    const data = vtkImageData.newInstance();
    data.setDimensions([nx, ny, nz]);
    data.setSpacing(spacing);
    data.setOrigin([...overview.origin].reverse() as Vec3);
    data.getPointData().setScalars(vtkDataArray.newInstance({ values: textureValues(overview.data) }));
    const mapper = vtkVolumeMapper.newInstance();
    mapper.setInputData(data);
    // One ray per 2×2 pixels and a sample per voxel: smooth enough for an overview, and a frame
    // stays cheap where WebGL runs in software.
    mapper.setSampleDistance(Math.min(...spacing));
    mapper.setImageSampleDistance(2);
    const colours = vtkColorTransferFunction.newInstance();
    const opacity = vtkPiecewiseFunction.newInstance();
    const actor = vtkVolume.newInstance();
    actor.setMapper(mapper);
    const property = actor.getProperty();
    property.setRGBTransferFunction(0, colours);
    property.setScalarOpacity(0, opacity);
    // Opacities are per overview voxel crossed, whatever the physical size.
    property.setScalarOpacityUnitDistance(0, opacityUnitDistance(spacing));
    if (nearest) property.setInterpolationTypeToNearest();
    else property.setInterpolationTypeToLinear();
    property.setShade(true);
    property.setAmbient(0.35);
    property.setDiffuse(0.7);
    property.setSpecular(0.1);
    parts.current = { actor, colours, opacity };
    view.renderer.addVolume(actor);
    view.requestRender();
    return () => {
      if (!view.renderer.isDeleted()) view.renderer.removeVolume(actor);
      parts.current = null;
      actor.delete();
      mapper.delete();
      colours.delete();
      opacity.delete();
      data.delete();
      view.requestRender();
    };
  }, [view, overview, nearest]);
  return parts;
}

/** Replaces the volume's colour and opacity functions. */
export function applyTransfer(view: ViewHandle, { colours, opacity }: VolumeActor, points: TransferPoints): void {
  colours.removeAllPoints();
  for (const [x, r, g, b] of points.colours) colours.addRGBPoint(x, r, g, b);
  opacity.removeAllPoints();
  for (const [x, y] of points.opacities) opacity.addPoint(x, y);
  view.requestRender();
}
