// The vtk.js part that the slice, label and prediction representations share: one image actor
// owned by the calling component, and the 2D image it shows on the current slice.
import vtkDataArray from '@kitware/vtk.js/Common/Core/DataArray';
import vtkImageData from '@kitware/vtk.js/Common/DataModel/ImageData';
import vtkImageMapper from '@kitware/vtk.js/Rendering/Core/ImageMapper';
import vtkImageSlice from '@kitware/vtk.js/Rendering/Core/ImageSlice';
import { type RefObject, useEffect, useRef } from 'react';
import type { TypedArray } from '../../../shared/volume';
import type { Vec2 } from './geometry';
import type { ViewHandle } from './ViewContext';

export interface ImageActor {
  mapper: vtkImageMapper;
  actor: vtkImageSlice;
}

/**
 * A nearest-neighbour image actor for `view`, set up once by `configure` (a stable function),
 * removed from the view and deleted when the component or the view goes.
 */
export function useImageActor(
  view: ViewHandle,
  configure: (actor: vtkImageSlice) => void,
): RefObject<ImageActor | null> {
  const parts = useRef<ImageActor | null>(null);
  useEffect(() => {
    const mapper = vtkImageMapper.newInstance();
    const actor = vtkImageSlice.newInstance();
    actor.setMapper(mapper);
    actor.getProperty().setInterpolationTypeToNearest();
    configure(actor);
    parts.current = { mapper, actor };
    return () => {
      // The view may be gone already: React removes a deleted tree's view (a ref) before its props.
      if (!view.renderer.isDeleted()) view.renderer.removeViewProp(actor);
      actor.delete();
      mapper.delete();
      parts.current = null;
      view.requestRender();
    };
  }, [view, configure]);
  return parts;
}

/**
 * Shows `values` (width × height pixels of `components` each, `spacing` apart, at z = -depth) as
 * the actor's image; returns the clean-up for the effect that calls it.
 */
export function showImage(
  view: ViewHandle,
  { mapper, actor }: ImageActor,
  image: {
    width: number;
    height: number;
    spacing: Vec2;
    /** World position of pixel (0, 0); (0, 0) by default. */
    origin?: Vec2;
    values: TypedArray;
    components: number;
    depth?: number;
  },
): () => void {
  const data = vtkImageData.newInstance();
  data.setDimensions([image.width, image.height, 1]);
  data.setSpacing([image.spacing[0], image.spacing[1], 1]);
  const [x, y] = image.origin ?? [0, 0];
  data.setOrigin([x, y, -(image.depth ?? 0)]);
  data
    .getPointData()
    .setScalars(vtkDataArray.newInstance({ values: image.values, numberOfComponents: image.components }));
  mapper.setInputData(data);
  if (!view.renderer.getViewProps().includes(actor)) view.renderer.addViewProp(actor);
  view.requestRender();
  return () => data.delete();
}
