// Render-less: puts one slice image into the view's renderer, in world units (voxel centres at
// index * spacing), mapped to grey with window/level. Nearest-neighbour, so voxels stay voxels.
import { useEffect } from 'react';
import type { SliceData } from '../../../shared/api';
import type { WindowLevel } from '../tools/window-level';
import type { Vec2 } from './geometry';
import { textureValues } from './texture';
import { showImage, useImageActor } from './useImageActor';
import { useView } from './ViewContext';

interface Props {
  slice: SliceData;
  spacing: Vec2;
  windowLevel: WindowLevel;
}

export function SliceRepresentation({ slice, spacing, windowLevel }: Props) {
  const view = useView();
  const parts = useImageActor(view, keepDefaults);

  useEffect(
    () =>
      showImage(view, parts.current!, {
        width: slice.width,
        height: slice.height,
        spacing,
        values: textureValues(slice.data),
        components: 1,
      }),
    [view, parts, slice, spacing],
  );

  useEffect(() => {
    const property = parts.current!.actor.getProperty();
    property.setColorWindow(windowLevel.window);
    property.setColorLevel(windowLevel.level);
    view.requestRender();
  }, [view, parts, windowLevel]);

  return null;
}

/** The grey image keeps the actor's defaults; window/level is set from props. */
const keepDefaults = (): void => undefined;
