// The renderer's view of the API: the same typed functions whether the preload (desktop) or a
// WebSocket (web mode) carries them. A WebSocket that drops is reconnected; meanwhile calls fail
// at once, saying that nothing was done.
import { type Api, type ApiEvent, METHODS, type Method, type PreloadBridge } from '../../../shared/api';
import { type SerializedError, TomosegError, deserializeError } from '../../../shared/errors';
import type { ServerMessage } from '../../../shared/protocol';
import { decodeFrame, encodeFrame } from '../../../shared/wire';

export interface Client {
  api: Api;
  onEvent(listener: (event: ApiEvent) => void): () => void;
  /** The path of a dropped file, where the transport can know it (desktop only). */
  pathForFile(file: File): string | null;
  /** Told when the link to the services is lost and when it is back (web mode; the desktop's never drops). */
  onConnection(listener: (state: Connection) => void): () => void;
}

export type Connection = 'lost' | 'back';

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
    onConnection: () => () => undefined,
  };
}

/** How often a lost connection is tried again. */
const RETRY_MS = 1000;

export function webSocketClient(url: string): Client {
  const listeners = new Set<(event: ApiEvent) => void>();
  const connectionListeners = new Set<(state: Connection) => void>();
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  /** The open socket; null while connecting the first time and while the connection is lost. */
  let socket: WebSocket | null = null;
  const onMessage = (message: MessageEvent<ArrayBuffer>): void => {
    const frame = decodeFrame(new Uint8Array(message.data)) as ServerMessage;
    if ('event' in frame) {
      for (const listener of listeners) listener(frame.event);
      return;
    }
    const waiter = pending.get(frame.id);
    pending.delete(frame.id);
    if ('error' in frame) waiter?.reject(deserializeError(frame.error as SerializedError));
    else waiter?.resolve(frame.result);
  };
  const tell = (state: Connection): void => {
    for (const listener of connectionListeners) listener(state);
  };
  const open = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const next = new WebSocket(url);
      next.binaryType = 'arraybuffer';
      next.addEventListener('message', onMessage);
      next.addEventListener('error', () => reject(new Error(`cannot connect to ${url}`)), { once: true });
      next.addEventListener(
        'open',
        () => {
          socket = next;
          resolve();
        },
        { once: true },
      );
      next.addEventListener('close', () => {
        if (socket !== next) return; // a try that never opened
        socket = null;
        for (const waiter of pending.values()) waiter.reject(notConnected('the connection to Tomoseg was lost'));
        pending.clear();
        tell('lost');
        retry();
      });
    });
  const retry = (): void => {
    setTimeout(() => open().then(() => tell('back'), retry), RETRY_MS);
  };
  const ready = open();
  return {
    api: typedApi(async (method, args) => {
      await ready;
      const current = socket;
      if (!current) throw notConnected('not connected to Tomoseg (reconnecting…)');
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        current.send(encodeFrame({ id, method, args }));
      });
    }),
    onEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    pathForFile: () => null,
    onConnection: (listener) => {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
  };
}

const notConnected = (why: string): TomosegError => new TomosegError('internal', `${why}: this was not done`);

/** Picks the transport: the preload's bridge in Electron, else the page's own server. */
export function connect(): Client {
  const bridge = (window as { tomoseg?: PreloadBridge }).tomoseg;
  if (bridge) return ipcClient(bridge);
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return webSocketClient(`${protocol}//${location.host}/api?token=${encodeURIComponent(token)}`);
}
