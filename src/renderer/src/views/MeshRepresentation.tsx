// Render-less: a built mesh as one vtk.js PolyData actor, each object in its own colour (the
// colours of the mesh panel's table), in the volume's physical coordinates.
import '@kitware/vtk.js/Rendering/OpenGL/Actor';
import '@kitware/vtk.js/Rendering/OpenGL/PolyDataMapper';
import vtkDataArray from '@kitware/vtk.js/Common/Core/DataArray';
import vtkPolyData from '@kitware/vtk.js/Common/DataModel/PolyData';
import vtkActor from '@kitware/vtk.js/Rendering/Core/Actor';
import vtkMapper from '@kitware/vtk.js/Rendering/Core/Mapper';
import { ColorMode, ScalarMode } from '@kitware/vtk.js/Rendering/Core/Mapper/Constants';
import { useEffect } from 'react';
import type { MeshData } from '../../../shared/api';
import { objectColour } from '../store/mesh';
import { useView } from './ViewContext';

/** Triangles as vtk cells ([3, a, b, c] each) and one RGB colour per triangle, its object's. */
function polyDataOf(mesh: MeshData): vtkPolyData {
  const triangles = mesh.triangles.length / 3;
  const cells = new Uint32Array(triangles * 4);
  for (let t = 0; t < triangles; t++) {
    cells[t * 4] = 3;
    cells.set(mesh.triangles.subarray(t * 3, t * 3 + 3), t * 4 + 1);
  }
  const colours = new Uint8Array(triangles * 3);
  mesh.objects.forEach(({ triangleStart, triangleCount }, index) => {
    const hex = objectColour(index);
    const rgb = [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16));
    for (let t = triangleStart; t < triangleStart + triangleCount; t++) colours.set(rgb, t * 3);
  });
  const polyData = vtkPolyData.newInstance();
  polyData.getPoints().setData(mesh.positions, 3);
  polyData.getPolys().setData(cells);
  polyData
    .getCellData()
    .setScalars(vtkDataArray.newInstance({ name: 'object colour', numberOfComponents: 3, values: colours }));
  return polyData;
}

export function MeshRepresentation({ mesh }: { mesh: MeshData }) {
  const view = useView();
  useEffect(() => {
    const polyData = polyDataOf(mesh);
    const mapper = vtkMapper.newInstance({ colorMode: ColorMode.DIRECT_SCALARS, scalarMode: ScalarMode.USE_CELL_DATA });
    mapper.setInputData(polyData);
    const actor = vtkActor.newInstance();
    actor.setMapper(mapper);
    view.renderer.addActor(actor);
    view.requestRender();
    return () => {
      if (!view.renderer.isDeleted()) view.renderer.removeActor(actor);
      actor.delete();
      mapper.delete();
      polyData.delete();
      view.requestRender();
    };
  }, [view, mesh]);
  return null;
}
