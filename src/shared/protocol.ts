// Messages of the WebSocket transport (the IPC transport uses Electron's own request/response).
import type { ApiEvent } from './api';
import type { SerializedError } from './errors';

export type ClientMessage = { id: number; method: string; args: unknown };

export type ServerMessage =
  { id: number; result: unknown } | { id: number; error: SerializedError } | { event: ApiEvent };
