// Keyboard shortcuts that work anywhere but in text fields: tools, classes, brush size, undo/redo, help.
import { useEffect } from 'react';
import type { Services } from '../api/ClientContext';
import { useHelp } from '../panels/HelpDialog';
import { redo, undo } from '../store/segmentation-actions';
import { type Tool, useSegmentation } from '../store/segmentation';

const TOOL_KEYS: Record<string, Tool> = { v: 'navigate', escape: 'navigate', b: 'paint', e: 'erase', f: 'fill' };

export function useShortcuts(services: Services, enabled: boolean): void {
  useEffect(() => {
    if (!enabled) return;
    const onKey = (event: KeyboardEvent): void => {
      const target = event.target as HTMLElement | null;
      if (target instanceof HTMLInputElement && target.type === 'text') return;
      if (target instanceof HTMLTextAreaElement) return;
      const segmentation = useSegmentation.getState();
      const key = event.key.toLowerCase();
      if ((event.ctrlKey || event.metaKey) && key === 'z') void (event.shiftKey ? redo(services) : undo(services));
      else if ((event.ctrlKey || event.metaKey) && key === 'y') void redo(services);
      else if (event.ctrlKey || event.metaKey || event.altKey) return;
      else if (TOOL_KEYS[key]) segmentation.setTool(TOOL_KEYS[key]);
      else if (key === '[') segmentation.setRadius(segmentation.radius - 1);
      else if (key === ']') segmentation.setRadius(segmentation.radius + 1);
      else if (key === 'o') segmentation.toggleOverlay();
      else if (key === '?') useHelp.getState().setOpen(true);
      else if (/^[1-9]$/.test(key)) {
        // by label value, which a class keeps for life (not by its place in the list)
        const picked = segmentation.classes.find((c) => c.id === Number(key));
        if (picked) segmentation.setActiveClass(picked.id);
      } else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [services, enabled]);
}
