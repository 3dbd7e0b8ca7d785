import { homedir } from 'node:os';
import { join } from 'node:path';

/** Per-user settings folder outside Electron (Electron uses app.getPath('userData')). */
export function userDataDir(): string {
  if (process.env.TOMOSEG_DATA_DIR) return process.env.TOMOSEG_DATA_DIR;
  if (process.platform === 'win32')
    return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Tomoseg');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Tomoseg');
  return join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'tomoseg');
}

/** The built app's folders, relative to this bundle (out/main). */
export const builtRendererDir = (): string => join(import.meta.dirname, '..', 'renderer');
export const bundledResourcesDir = (): string => join(import.meta.dirname, '..', '..', 'resources');
