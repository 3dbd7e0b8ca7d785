// Render-less: a byte image on the shown slice (the user's labels, a prediction, its uncertainty)
// as a translucent RGBA image just in front of the grey slice, coloured through a 256-entry table.
import vtkDataArray from '@kitware/vtk.js/Common/Core/DataArray';
import vtkImageData from '@kitware/vtk.js/Common/DataModel/ImageData';
import vtkImageMapper from '@kitware/vtk.js/Rendering/Core/ImageMapper';
import vtkImageSlice from '@kitware/vtk.js/Rendering/Core/ImageSlice';
import { useEffect, useRef } from 'react';
import type { LabelSlice } from '../../../shared/api';
import { labelsToRgba } from '../tools/label-colours';
import type { Vec2 } from './geometry';
import { useView } from './ViewContext';

export function LabelRepresentation({
  slice,
  spacing,
  colours,
  depth = 0.5,
}: {
  slice: LabelSlice;
  spacing: Vec2;
  colours: Uint8Array;
  /** How far in front of the grey slice; overlays at different depths never fight. */
  depth?: number;
}) {
  const view = useView();
  const parts = useRef<{ mapper: vtkImageMapper; actor: vtkImageSlice } | null>(null);

  useEffect(() => {
    const mapper = vtkImageMapper.newInstance();
    const actor = vtkImageSlice.newInstance();
    actor.setMapper(mapper);
    actor.setForceTranslucent(true);
    // Colours pass through unchanged: a 0..255 window over 8-bit RGBA.
    actor.getProperty().setInterpolationTypeToNearest();
    actor.getProperty().setColorWindow(255);
    actor.getProperty().setColorLevel(127.5);
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
    // In front of the grey slice (the camera looks along +z from negative z).
    image.setOrigin([0, 0, -depth]);
    const values = labelsToRgba(slice.data, colours);
    image.getPointData().setScalars(vtkDataArray.newInstance({ values, numberOfComponents: 4 }));
    mapper.setInputData(image);
    if (!view.renderer.getViewProps().includes(actor)) view.renderer.addViewProp(actor);
    view.requestRender();
    return () => image.delete();
  }, [view, slice, spacing, colours, depth]);

  return null;
}
