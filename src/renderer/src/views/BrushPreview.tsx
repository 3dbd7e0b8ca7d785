// What the brush will paint: its outline under the pointer and the stroke drawn so far, until the
// service has painted it and the label overlay shows the real voxels.
import { useSegmentation } from '../store/segmentation';
import { type Camera, type Vec2, pixelToWorld, screenToWorld, worldToPixel, worldToScreen } from './geometry';

interface Props {
  camera: Camera;
  viewSize: Vec2;
  spacing: Vec2;
  stroke: number[] | null;
  pointer: Vec2 | null;
}

export function BrushPreview({ camera, viewSize, spacing, stroke, pointer }: Props) {
  const tool = useSegmentation((state) => state.tool);
  const radius = useSegmentation((state) => state.radius);
  const colour = useSegmentation((state) => state.classes.find((c) => c.id === state.activeClass)?.colour ?? '#ffffff');
  if (tool !== 'paint' && tool !== 'erase') return null;
  const shown = tool === 'erase' ? '#ffffff' : colour;
  // The brush covers pixels within `radius` of the centre pixel: draw its outer edge.
  const size: Vec2 = [((radius + 0.5) * spacing[0]) / camera.scale, ((radius + 0.5) * spacing[1]) / camera.scale];
  const toScreen = (column: number, row: number): Vec2 =>
    worldToScreen(camera, viewSize, pixelToWorld([column, row], spacing));
  const centre = pointer && worldToPixel(screenToWorld(camera, viewSize, pointer), [Infinity, Infinity], spacing);
  const path: string[] = [];
  if (stroke) for (let i = 0; i + 1 < stroke.length; i += 2) path.push(toScreen(stroke[i]!, stroke[i + 1]!).join(','));
  return (
    <svg className="overlay" width={viewSize[0]} height={viewSize[1]} aria-hidden data-testid="brush-preview">
      {stroke && (
        <polyline
          points={path.join(' ')}
          fill="none"
          stroke={shown}
          strokeOpacity={0.45}
          strokeWidth={2 * size[0]}
          strokeLinecap="round"
          strokeLinejoin="round"
        />
      )}
      {centre && (
        <ellipse
          cx={toScreen(...centre)[0]}
          cy={toScreen(...centre)[1]}
          rx={size[0]}
          ry={size[1]}
          fill="none"
          stroke={shown}
          strokeDasharray={tool === 'erase' ? '3 2' : undefined}
        />
      )}
    </svg>
  );
}
