// One WebSocket client of the API: binary frames in, calls dispatched, results, errors and events
// out. A frame of any shape gets an error reply or closes this socket; none may throw out of here.
import type { WebSocket } from 'ws';
import { TomosegError, badInput, serializeError } from '../../shared/errors';
import type { ClientMessage, ServerMessage } from '../../shared/protocol';
import { decodeFrame, encodeFrame } from '../../shared/wire';
import { dispatch } from '../api/dispatch';
import type { Backend } from '../services';

/** Close code for data the endpoint cannot accept (RFC 6455). */
const UNSUPPORTED_DATA = 1003;

export function serveApi(ws: WebSocket, backend: Backend): void {
  const send = (message: ServerMessage): void => {
    if (ws.readyState !== ws.OPEN) return;
    let frame: Uint8Array;
    try {
      frame = encodeFrame(message);
    } catch (error) {
      if (!('result' in message)) return;
      const problem = new TomosegError('internal', `the result cannot be sent (${(error as Error).message})`);
      frame = encodeFrame({ id: message.id, error: serializeError(problem) });
    }
    ws.send(frame);
  };
  const unsubscribe = backend.events.subscribe((event) => send({ event }));
  ws.on('close', unsubscribe);
  // Protocol errors (unmasked or oversized frames, broken UTF-8): ws closes the socket after
  // emitting 'error', which would end the process without a listener.
  ws.on('error', () => undefined);
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    const message = isBinary ? decode(data) : undefined;
    if (!message) {
      ws.close(UNSUPPORTED_DATA, 'malformed frame');
      return;
    }
    const { id, method, args } = message;
    const reply =
      typeof method === 'string'
        ? dispatch(backend.handlers, method, args)
        : Promise.reject(badInput('a call is {id, method, args} with a method name'));
    reply.then(
      (result) => send({ id, result }),
      (error: unknown) => send({ id, error: serializeError(error) }),
    );
  });
}

/** The call in a frame, or undefined when it is not one (an answer needs at least a numeric id). */
function decode(data: Buffer): (Omit<ClientMessage, 'method'> & { method: unknown }) | undefined {
  let message: unknown;
  try {
    message = decodeFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  } catch {
    return undefined;
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return undefined;
  const { id, method, args } = message as Record<string, unknown>;
  return typeof id === 'number' && Number.isFinite(id) ? { id, method, args } : undefined;
}
