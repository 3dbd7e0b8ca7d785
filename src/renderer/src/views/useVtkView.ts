// A view owns its vtk.js objects: render window, WebGL window and renderer are created when its
// container mounts and deleted when it unmounts. Pointer input is handled by the view's tools,
// not by a vtk interactor, so there is none to own.
import '@kitware/vtk.js/Rendering/OpenGL/Camera';
import '@kitware/vtk.js/Rendering/OpenGL/ImageMapper';
import '@kitware/vtk.js/Rendering/OpenGL/ImageSlice';
import '@kitware/vtk.js/Rendering/OpenGL/Renderer';
import '@kitware/vtk.js/Rendering/OpenGL/RenderWindow';
import vtkRenderWindow from '@kitware/vtk.js/Rendering/Core/RenderWindow';
import vtkRenderer from '@kitware/vtk.js/Rendering/Core/Renderer';
import type vtkOpenGLRenderWindow from '@kitware/vtk.js/Rendering/OpenGL/RenderWindow';
import { useCallback, useState } from 'react';
import type { Vec2 } from './geometry';
import type { ViewHandle } from './ViewContext';

export interface VtkView {
  /** Give this to the element the canvas should fill. */
  containerRef: (element: HTMLDivElement | null) => () => void;
  container: HTMLDivElement | null;
  view: ViewHandle | null;
  /** The container's size in CSS pixels. */
  size: Vec2;
}

export function useVtkView(background: [number, number, number]): VtkView {
  const [state, setState] = useState<{ container: HTMLDivElement | null; view: ViewHandle | null }>({
    container: null,
    view: null,
  });
  const [size, setSize] = useState<Vec2>([0, 0]);
  const [r, g, b] = background;

  const containerRef = useCallback(
    (container: HTMLDivElement | null) => {
      if (!container) return () => undefined;
      const renderWindow = vtkRenderWindow.newInstance();
      const renderer = vtkRenderer.newInstance({ background: [r, g, b] });
      renderWindow.addRenderer(renderer);
      const glWindow = renderWindow.newAPISpecificView('WebGL') as vtkOpenGLRenderWindow;
      renderWindow.addView(glWindow);
      glWindow.setContainer(container);

      let frame = 0;
      const requestRender = (): void => {
        if (frame || renderWindow.isDeleted()) return;
        frame = requestAnimationFrame(() => {
          frame = 0;
          renderWindow.render();
        });
      };
      const canvas = glWindow.getCanvas()!;
      const observer = new ResizeObserver(() => {
        // Whole CSS pixels, so that the canvas is not stretched and overlays line up exactly.
        const rect = container.getBoundingClientRect();
        const width = Math.max(1, Math.floor(rect.width));
        const height = Math.max(1, Math.floor(rect.height));
        const ratio = window.devicePixelRatio || 1;
        glWindow.setSize(Math.round(width * ratio), Math.round(height * ratio));
        canvas.style.width = `${width}px`;
        canvas.style.height = `${height}px`;
        setSize([width, height]);
        requestRender();
      });
      observer.observe(container);
      setState({ container, view: { renderer, requestRender } });

      return () => {
        observer.disconnect();
        cancelAnimationFrame(frame);
        setState({ container: null, view: null });
        glWindow.setContainer(null as unknown as HTMLElement);
        renderer.delete();
        glWindow.delete();
        renderWindow.delete();
      };
    },
    [r, g, b],
  );

  return { containerRef, container: state.container, view: state.view, size };
}
