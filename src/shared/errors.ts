// Errors cross every boundary (IPC, WebSocket, worker, CLI) as {name, message, kind}.

export type ErrorKind =
  | 'bad-input' // the user's file, arguments or labels are wrong: say what and where
  | 'not-found'
  | 'unsupported'
  | 'exists' // an output is there already: the caller may ask to replace it (--force, overwrite)
  | 'conflict' // e.g. a job already running, a project locked by another instance
  | 'timeout' // a file system (or other resource) did not answer in time: trying again later may work
  | 'cancelled'
  | 'internal';

export interface SerializedError {
  name: string;
  message: string;
  kind: ErrorKind;
}

export class TomosegError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'TomosegError';
  }
}

export const badInput = (message: string): TomosegError => new TomosegError('bad-input', message);
export const cancelled = (message = 'cancelled'): TomosegError => new TomosegError('cancelled', message);

export function serializeError(error: unknown): SerializedError {
  if (error instanceof TomosegError) return { name: error.name, message: error.message, kind: error.kind };
  if (error instanceof Error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') return { name: error.name, message: error.message, kind: 'not-found' };
    if (error.name === 'AbortError') return { name: error.name, message: error.message, kind: 'cancelled' };
    return { name: error.name, message: error.message, kind: 'internal' };
  }
  return { name: 'Error', message: String(error), kind: 'internal' };
}

export function deserializeError(error: SerializedError): TomosegError {
  const result = new TomosegError(error.kind, error.message);
  result.name = error.name;
  return result;
}
