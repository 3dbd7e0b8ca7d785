import { createContext, useContext } from 'react';
import type vtkRenderer from '@kitware/vtk.js/Rendering/Core/Renderer';

/** What a render-less representation needs from the view it lives in. */
export interface ViewHandle {
  renderer: vtkRenderer;
  /** Renders once on the next animation frame, however often it is called before. */
  requestRender(): void;
}

export const ViewContext = createContext<ViewHandle | null>(null);

export function useView(): ViewHandle {
  const view = useContext(ViewContext);
  if (!view) throw new Error('a representation must be a child of a view');
  return view;
}
