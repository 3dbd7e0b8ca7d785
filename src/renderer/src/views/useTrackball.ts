// A 3D view's camera control: a vtk.js interactor with the trackball style (drag to rotate, wheel
// to zoom, shift-drag to pan) on the view's render window, deleted with the view.
import vtkInteractorStyleTrackballCamera from '@kitware/vtk.js/Interaction/Style/InteractorStyleTrackballCamera';
import vtkRenderWindowInteractor from '@kitware/vtk.js/Rendering/Core/RenderWindowInteractor';
import type vtkOpenGLRenderWindow from '@kitware/vtk.js/Rendering/OpenGL/RenderWindow';
import { useEffect } from 'react';
import type { ViewHandle } from './ViewContext';

export function useTrackball(view: ViewHandle | null, container: HTMLDivElement | null): void {
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
}
