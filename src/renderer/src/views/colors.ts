import type { Axis } from '../../../shared/volume';

/** Each view's colour (x red, y green, z blue, as in most 3D tools), used by its crosshair line. */
export const AXIS_COLORS: Record<Axis, string> = { x: '#e5534b', y: '#57ab5a', z: '#539bf5' };

/** The slice views' background, as vtk.js wants it (0..1). */
export const VIEW_BACKGROUND: [number, number, number] = [0.043, 0.047, 0.055];
