// Render-less: the linked cursor in 3D. The volume's outline, the three slice views' planes
// through the cursor as outlines in their views' colours, so moving a slice moves its plane here,
// and a small cross where they meet.
import '@kitware/vtk.js/Rendering/OpenGL/Actor';
import '@kitware/vtk.js/Rendering/OpenGL/PolyDataMapper';
import vtkDataArray from '@kitware/vtk.js/Common/Core/DataArray';
import vtkPolyData from '@kitware/vtk.js/Common/DataModel/PolyData';
import vtkActor from '@kitware/vtk.js/Rendering/Core/Actor';
import vtkMapper from '@kitware/vtk.js/Rendering/Core/Mapper';
import { ColorMode, ScalarMode } from '@kitware/vtk.js/Rendering/Core/Mapper/Constants';
import { useEffect, useRef } from 'react';
import type { Vec3 } from '../../../shared/volume';
import { rgb } from '../tools/transfer-function';
import { AXIS_COLORS } from './colors';
import { useView } from './ViewContext';

const OUTLINE = '#6b7280';
const MARKER = '#ffffff';
/** Half the marker cross's arms, as a share of the volume's longest side. */
const MARKER_ARM = 0.04;

/** Corners (x, y, z world) of the rectangle where the plane `axis = at` cuts the box `size`. */
function rectangle(axis: 0 | 1 | 2, at: number, [X, Y, Z]: Vec3): number[][] {
  if (axis === 0)
    return [
      [0, 0, at],
      [X, 0, at],
      [X, Y, at],
      [0, Y, at],
    ]; // a z plane
  if (axis === 1)
    return [
      [0, at, 0],
      [X, at, 0],
      [X, at, Z],
      [0, at, Z],
    ];
  return [
    [at, 0, 0],
    [at, Y, 0],
    [at, Y, Z],
    [at, 0, Z],
  ];
}

/** Line segments and their colours: the box's 12 edges, each plane's 4, the marker's 3. */
export function planeLines(shape: Vec3, voxelSize: Vec3, cursor: Vec3): { points: Float32Array; colours: Uint8Array } {
  // World size (x, y, z) from the first voxel centre to the last.
  const size: Vec3 = [2, 1, 0].map((a) => (shape[a]! - 1) * voxelSize[a]!) as Vec3;
  const segments: { from: number[]; to: number[]; colour: string }[] = [];
  const loop = (corners: number[][], colour: string): void =>
    corners.forEach((from, i) => segments.push({ from, to: corners[(i + 1) % 4]!, colour }));
  loop(rectangle(0, 0, size), OUTLINE);
  loop(rectangle(0, size[2], size), OUTLINE);
  for (const [x, y] of [
    [0, 0],
    [size[0], 0],
    [size[0], size[1]],
    [0, size[1]],
  ])
    segments.push({ from: [x!, y!, 0], to: [x!, y!, size[2]], colour: OUTLINE });
  const axes = ['z', 'y', 'x'] as const;
  for (const a of [0, 1, 2] as const) loop(rectangle(a, cursor[a] * voxelSize[a], size), AXIS_COLORS[axes[a]]);
  const centre = [2, 1, 0].map((a) => cursor[a]! * voxelSize[a]!);
  const arm = Math.max(...size, ...voxelSize) * MARKER_ARM;
  for (const a of [0, 1, 2]) {
    const from = [...centre];
    const to = [...centre];
    from[a]! -= arm;
    to[a]! += arm;
    segments.push({ from, to, colour: MARKER });
  }
  const points = new Float32Array(segments.length * 6);
  const colours = new Uint8Array(segments.length * 3);
  segments.forEach(({ from, to, colour }, i) => {
    points.set([...from, ...to], i * 6);
    colours.set(
      rgb(colour).map((c) => Math.round(c * 255)),
      i * 3,
    );
  });
  return { points, colours };
}

export function SlicePlanesRepresentation({
  shape,
  voxelSize,
  cursor,
}: {
  shape: Vec3;
  voxelSize: Vec3;
  cursor: Vec3;
}) {
  const view = useView();
  const polyData = useRef<vtkPolyData | null>(null);

  useEffect(() => {
    const data = vtkPolyData.newInstance();
    const mapper = vtkMapper.newInstance({ colorMode: ColorMode.DIRECT_SCALARS, scalarMode: ScalarMode.USE_CELL_DATA });
    mapper.setInputData(data);
    const actor = vtkActor.newInstance();
    actor.setMapper(mapper);
    actor.getProperty().setLighting(false);
    actor.getProperty().setLineWidth(2);
    view.renderer.addActor(actor);
    polyData.current = data;
    return () => {
      if (!view.renderer.isDeleted()) view.renderer.removeActor(actor);
      polyData.current = null;
      actor.delete();
      mapper.delete();
      data.delete();
      view.requestRender();
    };
  }, [view]);

  useEffect(() => {
    const data = polyData.current!;
    const { points, colours } = planeLines(shape, voxelSize, cursor);
    const segments = points.length / 6;
    const lines = new Uint32Array(segments * 3);
    for (let i = 0; i < segments; i++) lines.set([2, 2 * i, 2 * i + 1], i * 3);
    data.getPoints().setData(points, 3);
    data.getLines().setData(lines);
    data.getCellData().setScalars(vtkDataArray.newInstance({ numberOfComponents: 3, values: colours }));
    data.modified();
    view.requestRender();
  }, [view, shape, voxelSize, cursor]);

  return null;
}
