// Render-less: puts one slice image into the view's renderer, in world units (voxel centres at
// index * spacing), mapped to grey with window/level. Nearest-neighbour, so voxels stay voxels.
import vtkDataArray from '@kitware/vtk.js/Common/Core/DataArray';
import vtkImageData from '@kitware/vtk.js/Common/DataModel/ImageData';
import vtkImageMapper from '@kitware/vtk.js/Rendering/Core/ImageMapper';
import vtkImageSlice from '@kitware/vtk.js/Rendering/Core/ImageSlice';
import { useEffect, useRef } from 'react';
import type { SliceData } from '../../../shared/api';
import type { TypedArray } from '../../../shared/volume';
import type { WindowLevel } from '../tools/window-level';
import type { Vec2 } from './geometry';
import { useView } from './ViewContext';

interface Props {
  slice: SliceData;
  spacing: Vec2;
  windowLevel: WindowLevel;
}

export function SliceRepresentation({ slice, spacing, windowLevel }: Props) {
  const view = useView();
  const parts = useRef<{ mapper: vtkImageMapper; actor: vtkImageSlice } | null>(null);

  useEffect(() => {
    const mapper = vtkImageMapper.newInstance();
    const actor = vtkImageSlice.newInstance();
    actor.setMapper(mapper);
    actor.getProperty().setInterpolationTypeToNearest();
    parts.current = { mapper, actor };
    return () => {
      // The view may be gone already: React removes a deleted tree's view (a ref) before its props.
      if (!view.renderer.isDeleted()) view.renderer.removeViewProp(actor);
      actor.delete();
      mapper.delete();
      parts.current = null;
      view.requestRender();
    };
  }, [view]);

  useEffect(() => {
    const { mapper, actor } = parts.current!;
    const image = vtkImageData.newInstance();
    image.setDimensions([slice.width, slice.height, 1]);
    image.setSpacing([spacing[0], spacing[1], 1]);
    image
      .getPointData()
      .setScalars(vtkDataArray.newInstance({ values: textureValues(slice.data), numberOfComponents: 1 }));
    mapper.setInputData(image);
    if (!view.renderer.getViewProps().includes(actor)) view.renderer.addViewProp(actor);
    view.requestRender();
    return () => image.delete();
  }, [view, slice, spacing]);

  useEffect(() => {
    const property = parts.current!.actor.getProperty();
    property.setColorWindow(windowLevel.window);
    property.setColorLevel(windowLevel.level);
    view.requestRender();
  }, [view, windowLevel]);

  return null;
}

/** WebGL 2 textures take 8/16-bit integers and float32; wider types go as float32. */
function textureValues(data: TypedArray): TypedArray {
  return data instanceof Float64Array || data instanceof Int32Array || data instanceof Uint32Array
    ? Float32Array.from(data)
    : data;
}
