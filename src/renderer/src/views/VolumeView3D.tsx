// The 3D view: owns its vtk.js objects (useVtkView) and a trackball camera, and hosts render-less
// representations of the tomogram, the user's labels, the segmentation, the mesh and the slice
// planes through the cursor. It shows downsampled overviews of the volume, never the volume itself.
// A click moves the cursor to the point clicked (usePick3D), on what the view shows.
import { useEffect, useMemo } from 'react';
import type { VolumeInfo } from '../../../shared/volume';
import { useServices } from '../api/ClientContext';
import { useMesh } from '../store/mesh';
import { useLabelOverview, useSegmentationOverview, useVolumeOverview } from '../store/overviews';
import { useSegmentation } from '../store/segmentation';
import { useView3D } from '../store/view3d';
import { useViewer } from '../store/viewer';
import { colourTable } from '../tools/label-colours';
import type { Scene } from '../tools/pick-3d';
import { labelTransferPoints, transferPoints } from '../tools/transfer-function';
import { VIEW_BACKGROUND } from './colors';
import { LabelVolumeRepresentation } from './LabelVolumeRepresentation';
import { MeshRepresentation } from './MeshRepresentation';
import { SlicePlanesRepresentation } from './SlicePlanesRepresentation';
import { useDebounced } from './useDebounced';
import { useFramed } from './useFramed';
import { usePick3D } from './usePick3D';
import { useTrackball } from './useTrackball';
import { useVtkView } from './useVtkView';
import { ViewContext, type ViewHandle } from './ViewContext';
import { VolumeRepresentation } from './VolumeRepresentation';

const CURSOR_PAUSE_MS = 150;

/** Looks at the volume's centre from above one corner, z = 0 at the top as in the y and x views. */
function resetCamera(view: ViewHandle): void {
  const camera = view.renderer.getActiveCamera();
  camera.setFocalPoint(0, 0, 0);
  camera.setPosition(-1, -1.6, -1.1);
  camera.setViewUp(0, 0, -1);
  view.renderer.resetCamera();
  view.requestRender();
}

export function VolumeView3D({ volume }: { volume: VolumeInfo }) {
  const services = useServices();
  const { containerRef, container, view } = useVtkView(VIEW_BACKGROUND);
  useTrackball(view, container);
  const overview = useVolumeOverview(services, volume.id);
  const segmentation = useSegmentationOverview(services, volume.id);
  const { layers, transfer, preset } = useView3D();
  const labels = useLabelOverview(services, volume.id, layers.labels);
  // Scrolling through slices redraws the 3D view once it pauses, not at every slice.
  const cursor = useDebounced(
    useViewer((state) => state.cursor),
    CURSOR_PAUSE_MS,
  );
  const classes = useSegmentation((state) => state.classes);
  const display = useSegmentation((state) => state.display);
  const colours = useMemo(() => colourTable(classes, display), [classes, display]);
  // The segmentation without its first class unless asked for: what surrounds the objects would hide them.
  const segmentationColours = useMemo(() => {
    const first = Math.min(...classes.map((c) => c.id));
    if (layers.background || !Number.isFinite(first)) return colours;
    const table = colours.slice();
    table[first * 4 + 3] = 0;
    return table;
  }, [colours, classes, layers.background]);
  const mesh = useMesh((state) => state.data);
  const meshId = useMesh((state) => state.summary?.meshId ?? null);

  useEffect(() => {
    if (view && overview) resetCamera(view);
  }, [view, overview]);

  const showVolume = layers.volume && overview !== null;
  const showSegmentation = layers.segmentation && segmentation !== null;
  const showLabels = labels !== null;
  const showMesh = layers.mesh && mesh !== null;
  // What a click can land on: what is shown, as it is shown.
  const scene = useMemo(
    (): Scene => ({
      shape: volume.shape,
      voxelSize: volume.voxelSize,
      volumes: [
        ...(showVolume
          ? [{ overview, opacities: transferPoints(transfer, volume.range).opacities, nearest: false }]
          : []),
        ...(showSegmentation
          ? [{ overview: segmentation, opacities: labelTransferPoints(segmentationColours).opacities, nearest: true }]
          : []),
        ...(showLabels
          ? [{ overview: labels, opacities: labelTransferPoints(colours).opacities, nearest: true, onTop: true }]
          : []),
      ],
      mesh: showMesh ? mesh : null,
      planes: layers.planes ? cursor : null,
    }),
    [
      volume,
      overview,
      segmentation,
      labels,
      mesh,
      colours,
      segmentationColours,
      transfer,
      cursor,
      showVolume,
      showSegmentation,
      showLabels,
      showMesh,
      layers,
    ],
  );
  usePick3D(view, container, scene);
  // What is on screen, once drawn, for tests.
  const framed = useFramed(
    [
      showVolume ? JSON.stringify(transfer) : '',
      showSegmentation ? segmentation.modelVersion : '',
      showMesh ? meshId : '',
      layers.planes ? cursor.join(',') : '',
      showLabels ? labels.labelsVersion : '',
    ].join('|'),
  );
  const [shownVolume, shownSegmentation, shownMesh, shownCursor, shownLabels] = (framed ?? '||||').split('|');

  return (
    <section className="view" data-testid="view-3d">
      <header className="view-header">
        <span className="view-axis">3D</span>
        <span className="view-plane" data-testid="view-3d-preset">
          {preset ?? 'Custom'}
        </span>
        <span className="view-index muted">{overview ? `${overview.shape.join('×')} overview` : 'loading…'}</span>
        <button
          type="button"
          className="ghost small"
          onClick={() => view && resetCamera(view)}
          title="Look at the whole volume again"
        >
          Reset
        </button>
      </header>
      <div
        ref={containerRef}
        className="view-canvas view-3d"
        data-testid="canvas-3d"
        data-shown-volume={shownVolume}
        data-shown-segmentation={shownSegmentation}
        data-shown-mesh={shownMesh}
        data-shown-cursor={shownCursor}
        data-shown-labels={shownLabels}
        title="Click to move the crosshair there, drag to rotate, wheel to zoom, shift-drag to pan"
        aria-label="3D view"
      >
        {view && (
          <ViewContext.Provider value={view}>
            {showVolume && <VolumeRepresentation overview={overview} transfer={transfer} range={volume.range} />}
            {showSegmentation && <LabelVolumeRepresentation overview={segmentation} colours={segmentationColours} />}
            {showMesh && <MeshRepresentation mesh={mesh} />}
            {layers.planes && (
              <SlicePlanesRepresentation shape={volume.shape} voxelSize={volume.voxelSize} cursor={cursor} />
            )}
            {showLabels && <LabelVolumeRepresentation overview={labels} colours={colours} onTop />}
          </ViewContext.Provider>
        )}
      </div>
    </section>
  );
}
