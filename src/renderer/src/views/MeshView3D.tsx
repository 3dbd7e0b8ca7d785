// The built mesh in 3D: one vtk.js PolyData actor, each object in its own colour, rotated and
// zoomed with the trackball (drag to rotate, wheel to zoom, shift-drag to pan). The view owns its
// actor, mapper, data and interactor, and deletes them when the mesh changes or it unmounts.
import '@kitware/vtk.js/Rendering/OpenGL/Actor';
import '@kitware/vtk.js/Rendering/OpenGL/PolyDataMapper';
import vtkDataArray from '@kitware/vtk.js/Common/Core/DataArray';
import vtkPolyData from '@kitware/vtk.js/Common/DataModel/PolyData';
import vtkInteractorStyleTrackballCamera from '@kitware/vtk.js/Interaction/Style/InteractorStyleTrackballCamera';
import vtkActor from '@kitware/vtk.js/Rendering/Core/Actor';
import vtkMapper from '@kitware/vtk.js/Rendering/Core/Mapper';
import { ColorMode, ScalarMode } from '@kitware/vtk.js/Rendering/Core/Mapper/Constants';
import vtkRenderWindowInteractor from '@kitware/vtk.js/Rendering/Core/RenderWindowInteractor';
import type vtkOpenGLRenderWindow from '@kitware/vtk.js/Rendering/OpenGL/RenderWindow';
import { useEffect, useState } from 'react';
import type { MeshData } from '../../../shared/api';
import { objectColour } from '../store/mesh';
import { VIEW_BACKGROUND } from './colors';
import { useVtkView } from './useVtkView';

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

export function MeshView3D({ mesh, meshId }: { mesh: MeshData; meshId: string }) {
  const { containerRef, container, view } = useVtkView(VIEW_BACKGROUND);
  const [shown, setShown] = useState<string | null>(null);

  // Trackball camera on the view's own render window.
  useEffect(() => {
    if (!view || !container) return;
    const renderWindow = view.renderer.getRenderWindow()!;
    const interactor = vtkRenderWindowInteractor.newInstance();
    const style = vtkInteractorStyleTrackballCamera.newInstance();
    interactor.setView(renderWindow.getViews()[0] as vtkOpenGLRenderWindow);
    interactor.initialize();
    interactor.bindEvents(container);
    interactor.setInteractorStyle(style);
    return () => {
      interactor.unbindEvents();
      style.delete();
      interactor.delete();
    };
  }, [view, container]);

  useEffect(() => {
    if (!view) return;
    const polyData = polyDataOf(mesh);
    const mapper = vtkMapper.newInstance({ colorMode: ColorMode.DIRECT_SCALARS, scalarMode: ScalarMode.USE_CELL_DATA });
    mapper.setInputData(polyData);
    const actor = vtkActor.newInstance();
    actor.setMapper(mapper);
    view.renderer.addActor(actor);
    view.renderer.resetCamera();
    view.requestRender();
    // Tell tests (and nothing else) which mesh is on screen once a frame shows it.
    const frame = requestAnimationFrame(() => requestAnimationFrame(() => setShown(meshId)));
    return () => {
      cancelAnimationFrame(frame);
      view.renderer.removeActor(actor);
      actor.delete();
      mapper.delete();
      polyData.delete();
      view.requestRender();
    };
  }, [view, mesh, meshId]);

  return (
    <div
      ref={containerRef}
      className="mesh-view"
      data-testid="mesh-view"
      data-shown-mesh={shown ?? ''}
      title="Drag to rotate, wheel to zoom, shift-drag to pan"
    />
  );
}
