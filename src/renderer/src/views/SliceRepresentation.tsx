// Render-less: puts one slice image into the view's renderer, in world units (voxel centres at
// index * spacing), mapped to grey with window/level. Nearest-neighbour, so voxels stay voxels.
// A slice of a coarser pyramid level covers the same area with larger voxels.
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
  /** Full-resolution voxels per voxel of `slice` along its columns and rows: [1, 1] at full resolution. */
  factor: Vec2;
  windowLevel: WindowLevel;
}

export function SliceRepresentation({ slice, spacing, factor, windowLevel }: Props) {
  const view = useView();
  const parts = useImageActor(view, keepDefaults);

  useEffect(
    () =>
      showImage(view, parts.current!, {
        width: slice.width,
        height: slice.height,
        spacing: [spacing[0] * factor[0], spacing[1] * factor[1]],
        // a coarse voxel's centre lies amid the full-resolution voxels it spans
        origin: [((factor[0] - 1) * spacing[0]) / 2, ((factor[1] - 1) * spacing[1]) / 2],
        values: textureValues(slice.data),
        components: 1,
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- factor is a fresh array each render; its values matter
    [view, parts, slice, spacing, factor[0], factor[1]],
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
