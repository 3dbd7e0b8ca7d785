// The linked cursor drawn over a slice view: one line per other view's plane, in that view's colour.
import type { Axis, Vec3 } from '../../../shared/volume';
import { AXIS_COLORS } from './colors';
import { sliceAxes } from '../../../shared/slice';
import { type Camera, type Vec2, imageRect, pixelToWorld, worldToScreen } from './geometry';

interface Props {
  axis: Axis;
  cursor: Vec3;
  camera: Camera;
  viewSize: Vec2;
  dims: Vec2;
  spacing: Vec2;
}

const AXIS_OF_INDEX: Axis[] = ['z', 'y', 'x'];

export function Crosshair({ axis, cursor, camera, viewSize, dims, spacing }: Props) {
  const { column, row } = sliceAxes(axis);
  const [x, y] = worldToScreen(camera, viewSize, pixelToWorld([cursor[column], cursor[row]], spacing));
  const [left, top, width, height] = imageRect(camera, viewSize, dims, spacing);
  return (
    <svg className="overlay" width={viewSize[0]} height={viewSize[1]} aria-hidden>
      <line x1={x} x2={x} y1={top} y2={top + height} stroke={AXIS_COLORS[AXIS_OF_INDEX[column]!]} />
      <line x1={left} x2={left + width} y1={y} y2={y} stroke={AXIS_COLORS[AXIS_OF_INDEX[row]!]} />
    </svg>
  );
}
