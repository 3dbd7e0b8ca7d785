// The renderer's view of the API: the same typed functions whether the preload (desktop) or a
// WebSocket (web mode) carries them.
import { type Api, type ApiEvent, METHODS, type Method, type PreloadBridge } from '../../../shared/api';
import { type SerializedError, deserializeError } from '../../../shared/errors';
import type { ServerMessage } from '../../../shared/protocol';
import { decodeFrame, encodeFrame } from '../../../shared/wire';

export interface Client {
  api: Api;
  onEvent(listener: (event: ApiEvent) => void): () => void;
  /** The path of a dropped file, where the transport can know it (desktop only). */
  pathForFile(file: File): string | null;
}

type Call = (method: Method, args: unknown) => Promise<unknown>;

function typedApi(call: Call): Api {
  return Object.fromEntries(METHODS.map((method) => [method, (args: unknown) => call(method, args)])) as Api;
}

export function ipcClient(bridge: PreloadBridge): Client {
  return {
    api: typedApi(async (method, args) => {
      const answer = await bridge.methods[method](args);
      if ('error' in answer) throw deserializeError(answer.error);
      return answer.result;
    }),
    onEvent: (listener) => bridge.onEvent(listener),
    pathForFile: (file) => bridge.pathForFile(file) || null,
  };
}

export function webSocketClient(url: string): Client {
  const listeners = new Set<(event: ApiEvent) => void>();
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  const socket = new WebSocket(url);
  socket.binaryType = 'arraybuffer';
  const ready = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error(`cannot connect to ${url}`)), { once: true });
  });
  socket.addEventListener('message', (message: MessageEvent<ArrayBuffer>) => {
    const frame = decodeFrame(new Uint8Array(message.data)) as ServerMessage;
    if ('event' in frame) {
      for (const listener of listeners) listener(frame.event);
      return;
    }
    const waiter = pending.get(frame.id);
    pending.delete(frame.id);
    if ('error' in frame) waiter?.reject(deserializeError(frame.error as SerializedError));
    else waiter?.resolve(frame.result);
  });
  socket.addEventListener('close', () => {
    for (const waiter of pending.values()) waiter.reject(new Error('connection to Tomoseg closed'));
    pending.clear();
  });
  return {
    api: typedApi(async (method, args) => {
      await ready;
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        socket.send(encodeFrame({ id, method, args }));
      });
    }),
    onEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    pathForFile: () => null,
  };
}

/** Picks the transport: the preload's bridge in Electron, else the page's own server. */
export function connect(): Client {
  const bridge = (window as { tomoseg?: PreloadBridge }).tomoseg;
  if (bridge) return ipcClient(bridge);
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return webSocketClient(`${protocol}//${location.host}/api?token=${encodeURIComponent(token)}`);
}
