// Exposes one function per API method to the sandboxed renderer, on fixed prefixed channels.
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { type ApiEvent, CHANNEL_PREFIX, EVENT_CHANNEL, METHODS } from '../shared/api';

const methods = Object.fromEntries(
  METHODS.map((method) => [method, (args: unknown) => ipcRenderer.invoke(CHANNEL_PREFIX + method, args)]),
);

contextBridge.exposeInMainWorld('tomoseg', {
  methods,
  onEvent: (listener: (event: ApiEvent) => void) => {
    const wrapped = (_event: unknown, payload: ApiEvent): void => listener(payload);
    ipcRenderer.on(EVENT_CHANNEL, wrapped);
    return () => ipcRenderer.removeListener(EVENT_CHANNEL, wrapped);
  },
  /** Dropped files carry a real path only in Electron. */
  pathForFile: (file: File) => webUtils.getPathForFile(file),
});
