// One orthogonal slice view: owns its vtk.js objects (useVtkView) and its 2D camera, shows the
// slice the crosshair selects, and hosts render-less representations through ViewContext.
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { sliceAxes } from '../../../shared/slice';
import { type Axis, type VolumeInfo, axisIndex } from '../../../shared/volume';
import { useServices } from '../api/ClientContext';
import { paint } from '../store/segmentation-actions';
import { useSegmentation } from '../store/segmentation';
import { useTraining } from '../store/training';
import { useViewer } from '../store/viewer';
import { colourTable, heatTable, predictionTable } from '../tools/label-colours';
import { useSliceTools } from '../tools/navigation';
import { BrushPreview } from './BrushPreview';
import { AXIS_COLORS, VIEW_BACKGROUND } from './colors';
import { Crosshair } from './Crosshair';
import { LabelRepresentation } from './LabelRepresentation';
import { type Camera, fitCamera, imageRect, sliceImage } from './geometry';
import { SliceRepresentation } from './SliceRepresentation';
import { useVtkView } from './useVtkView';
import { ViewContext } from './ViewContext';

const AXIS_NAMES = ['z', 'y', 'x'] as const;

export function SliceView({ axis, volume }: { axis: Axis; volume: VolumeInfo }) {
  const services = useServices();
  const { slices, labels, predictions, results } = services;
  const { containerRef, container, view, size } = useVtkView(VIEW_BACKGROUND);
  const index = useViewer((state) => state.cursor[axisIndex(axis)]);
  const cursor = useViewer((state) => state.cursor);
  const windowLevel = useViewer((state) => state.windowLevel);
  const stepSlice = useViewer((state) => state.stepSlice);
  const setSlice = useViewer((state) => state.setSlice);
  const extent = volume.shape[axisIndex(axis)];
  const { dims, spacing } = useMemo(() => sliceImage(axis, volume.shape, volume.voxelSize), [axis, volume]);
  const shown = useSyncExternalStore(slices.subscribe, () => slices.shownSlice(volume.id, axis));
  const shownLabels = useSyncExternalStore(labels.subscribe, () => labels.shownSlice(volume.id, axis));
  const classes = useSegmentation((state) => state.classes);
  const display = useSegmentation((state) => state.display);
  const overlayVisible = useSegmentation((state) => state.overlayVisible);
  const tool = useSegmentation((state) => state.tool);
  const colours = useMemo(() => colourTable(classes, display), [classes, display]);
  const shownPrediction = useSyncExternalStore(predictions.subscribe, () => predictions.shownSlice(volume.id, axis));
  const shownResult = useSyncExternalStore(results.subscribe, () => results.shownSlice(volume.id, axis));
  const predictionVisible = useTraining((state) => state.predictionVisible);
  const predictionOpacity = useTraining((state) => state.predictionOpacity);
  const uncertaintyVisible = useTraining((state) => state.uncertaintyVisible);
  const resultVisible = useTraining((state) => state.resultVisible);
  const predictionColours = useMemo(
    () => predictionTable(classes, display, predictionOpacity),
    [classes, display, predictionOpacity],
  );
  const heat = useMemo(() => heatTable(Math.min(1, predictionOpacity * 2)), [predictionOpacity]);

  useEffect(() => {
    void labels.show(volume.id, axis, index, extent);
  }, [labels, volume.id, axis, index, extent]);
  // A prediction costs a computation: only for a view that shows it.
  useEffect(() => {
    if (predictionVisible) void predictions.show(volume.id, axis, index, extent);
  }, [predictions, predictionVisible, volume.id, axis, index, extent]);
  useEffect(() => {
    if (resultVisible) void results.show(volume.id, axis, index, extent);
  }, [results, resultVisible, volume.id, axis, index, extent]);

  // The user's zoom/pan, or null for "fit the image to the view".
  const [userCamera, setCamera] = useState<Camera | null>(null);
  const hasSize = size[0] > 0 && size[1] > 0;
  const camera = userCamera ?? (hasSize ? fitCamera(dims, spacing, size) : null);
  // A pyramid is read at the coarsest level that still fills the screen's pixels (none before the
  // view has a size: a full-resolution slice of a large volume takes seconds).
  const level = camera ? slices.levelFor(volume.id, axis, camera.scale / window.devicePixelRatio) : null;
  useEffect(() => {
    if (level !== null) void slices.show(volume.id, axis, index, extent, level);
  }, [slices, volume.id, axis, index, extent, level]);

  useEffect(() => {
    if (!view || !camera || !hasSize) return;
    const vtkCamera = view.renderer.getActiveCamera();
    const [cx, cy] = camera.center;
    // Looking along +z with -y up puts row 0 at the top and columns left to right.
    vtkCamera.setParallelProjection(true);
    vtkCamera.setFocalPoint(cx, cy, 0);
    vtkCamera.setPosition(cx, cy, -1000);
    vtkCamera.setViewUp(0, -1, 0);
    vtkCamera.setParallelScale((camera.scale * size[1]) / 2);
    vtkCamera.setClippingRange(1, 2000);
    view.requestRender();
  }, [view, camera, size, hasSize]);

  const { stroke, pointer, clearStroke, ...handlers } = useSliceTools({
    container,
    axis,
    volume,
    index,
    shown,
    camera,
    setCamera,
    viewSize: size,
    dims,
    spacing,
    onStroke: (points) => void paint(services, { axis, index, points }).finally(clearStroke),
  });
  const rect = camera ? imageRect(camera, size, dims, spacing) : null;
  const { column, row } = sliceAxes(axis);
  const shownSlice = shown && shown.volumeId === volume.id ? shown : undefined;
  // Labels of another slice would be misleading: show them only for the slice on screen.
  const labelSlice = shownLabels && shownSlice && shownLabels.index === shownSlice.index ? shownLabels : undefined;
  const onSlice = (shown: typeof shownPrediction) =>
    shown && shownSlice && shown.index === shownSlice.index && shown.slice.width > 0 ? shown.slice : undefined;
  const prediction = onSlice(shownPrediction);
  const result = onSlice(shownResult);
  const predictionImage = useMemo(
    () => prediction && { width: prediction.width, height: prediction.height, data: prediction.classes },
    [prediction],
  );
  const uncertaintyImage = useMemo(
    () => prediction && { width: prediction.width, height: prediction.height, data: prediction.uncertainty },
    [prediction],
  );
  const resultImage = useMemo(
    () => result && { width: result.width, height: result.height, data: result.classes },
    [result],
  );

  return (
    <section className="view" data-testid={`view-${axis}`} style={{ borderTopColor: AXIS_COLORS[axis] }}>
      <header className="view-header">
        <span className="view-axis" style={{ color: AXIS_COLORS[axis] }}>
          {axis.toUpperCase()}
        </span>
        <span className="view-plane">
          {AXIS_NAMES[column]}
          {AXIS_NAMES[row]} plane
        </span>
        <span className="view-index" data-testid={`slice-index-${axis}`}>
          {index} <span className="muted">/ {extent - 1}</span>
        </span>
        <button
          type="button"
          className="ghost small"
          onClick={() => setCamera(null)}
          title="Fit the slice to the view (R)"
        >
          Fit
        </button>
      </header>
      <div
        ref={containerRef}
        className="view-canvas"
        tabIndex={0}
        data-testid={`canvas-${axis}`}
        data-shown-slice={shownSlice?.index ?? ''}
        data-shown-level={shownSlice?.level ?? ''}
        data-shown-labels={labelSlice?.index ?? ''}
        data-prediction-model={prediction?.modelVersion ?? ''}
        data-result-model={result?.modelVersion ?? ''}
        data-tool={tool}
        data-image-rect={rect ? rect.map((n) => n.toFixed(3)).join(',') : ''}
        aria-label={`${axis} slice view`}
        {...handlers}
      >
        {view && shownSlice && (
          <ViewContext.Provider value={view}>
            <SliceRepresentation
              slice={shownSlice.slice}
              spacing={spacing}
              factor={[shownSlice.factor[column], shownSlice.factor[row]]}
              windowLevel={windowLevel}
            />
            {resultVisible && resultImage && (
              <LabelRepresentation slice={resultImage} spacing={spacing} colours={predictionColours} depth={0.2} />
            )}
            {predictionVisible && !uncertaintyVisible && predictionImage && (
              <LabelRepresentation slice={predictionImage} spacing={spacing} colours={predictionColours} depth={0.3} />
            )}
            {predictionVisible && uncertaintyVisible && uncertaintyImage && (
              <LabelRepresentation slice={uncertaintyImage} spacing={spacing} colours={heat} depth={0.3} />
            )}
            {overlayVisible && labelSlice && (
              <LabelRepresentation slice={labelSlice.slice} spacing={spacing} colours={colours} outlined />
            )}
          </ViewContext.Provider>
        )}
        {camera && hasSize && (
          <Crosshair axis={axis} cursor={cursor} camera={camera} viewSize={size} dims={dims} spacing={spacing} />
        )}
        {camera && hasSize && (
          <BrushPreview camera={camera} viewSize={size} spacing={spacing} stroke={stroke} pointer={pointer} />
        )}
        <span className="orientation right">{AXIS_NAMES[column]} →</span>
        <span className="orientation down">{AXIS_NAMES[row]} ↓</span>
      </div>
      <div className="view-footer">
        <button
          type="button"
          className="ghost small"
          onClick={() => stepSlice(axis, -1)}
          aria-label={`previous ${axis} slice`}
        >
          ‹
        </button>
        <input
          type="range"
          min={0}
          max={extent - 1}
          value={index}
          onChange={(event) => setSlice(axis, Number(event.target.value))}
          data-testid={`slider-${axis}`}
          aria-label={`${axis} slice`}
        />
        <button
          type="button"
          className="ghost small"
          onClick={() => stepSlice(axis, 1)}
          aria-label={`next ${axis} slice`}
        >
          ›
        </button>
      </div>
    </section>
  );
}
