// The Electron shell: a window, the IPC transport, and native dialogs. Everything else lives in
// the plain Node services, which the web mode serves too.
import { BrowserWindow, app, dialog, ipcMain } from 'electron';
import { join } from 'node:path';
import { CHANNEL_PREFIX, EVENT_CHANNEL, METHODS } from '../shared/api';
import { serializeError } from '../shared/errors';
import { dispatch } from './api/dispatch';
import { builtRendererDir } from './paths';
import { createBackend } from './services';

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'Tomoseg',
    webPreferences: {
      preload: join(import.meta.dirname, '..', 'preload', 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  });
  if (process.env.ELECTRON_RENDERER_URL) void window.loadURL(process.env.ELECTRON_RENDERER_URL);
  else void window.loadFile(join(builtRendererDir(), 'index.html'));
  return window;
}

void app.whenReady().then(() => {
  const backend = createBackend({
    shell: 'electron',
    version: app.getVersion(),
    dataDir: app.getPath('userData'),
    resourcesDir: app.isPackaged ? join(process.resourcesPath, 'resources') : join(app.getAppPath(), 'resources'),
    pickFile: async (title) => {
      const result = await dialog.showOpenDialog({
        title: title ?? 'Open tomogram',
        properties: ['openFile', 'openDirectory'],
        filters: [
          { name: 'Tomograms', extensions: ['tif', 'tiff', 'zarr', 'raw'] },
          { name: 'All files', extensions: ['*'] },
        ],
      });
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
  });

  // Errors cross IPC as a value, not a rejection: Electron would flatten them into a string.
  for (const method of METHODS)
    ipcMain.handle(CHANNEL_PREFIX + method, async (_event, args: unknown) => {
      try {
        return { result: await dispatch(backend.handlers, method, args) };
      } catch (error) {
        return { error: serializeError(error) };
      }
    });

  backend.events.subscribe((event) => {
    for (const window of BrowserWindow.getAllWindows()) window.webContents.send(EVENT_CHANNEL, event);
  });

  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
