// The HDF5 library (h5wasm: HDF5 compiled to WebAssembly, reading the host file system in place
// through Node's fs, so a file is never read whole; filters from h5wasm-plugins) and the few things we need around it: quiet
// calls that turn HDF5's error stack into one line, and a walk over a file's datasets.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type * as H5 from 'h5wasm';
import { fileProblem } from '../errors';

type H5Module = typeof H5;
let loading: Promise<H5Module> | undefined;

/** The library, loaded once (its WebAssembly heap is shared by every open file). */
export function h5wasm(): Promise<H5Module> {
  loading ??= import('h5wasm/node').then(async (module) => {
    const library = await module.ready;
    // The compression filters beamlines use beyond HDF5's own (LZF, bitshuffle, LZ4, Blosc, Zstd,
    // ...): WebAssembly plugins the library loads from the package's folder when a dataset needs one.
    // Packaged, the plugin files lie unpacked beside the app's archive (build/electron-builder.yml):
    // the library reads them with plain file calls, which cannot look inside an asar archive.
    const plugins = await import('h5wasm-plugins');
    const folder = fileURLToPath(`${plugins.base_url}/plugins`).replace(/\.asar([/\\])/, '.asar.unpacked$1');
    library.insert_plugin_search_path(folder, 0);
    return module as unknown as H5Module;
  });
  return loading;
}

/**
 * Runs a synchronous library call with HDF5's diagnostic stack (printed to stderr by the C
 * library) captured instead of printed; a failure becomes one line naming the file (and dataset),
 * with HDF5's innermost reason (e.g. "truncated file: eof = 3000, ... stored_eof = 130415").
 */
export function quietly<T>(path: string, what: string, call: () => T): T {
  const { result, stack, error } = captured(call);
  // h5wasm returns from some failed reads (a chunk whose filter or checksum fails) with the
  // buffer unfilled: the error stack the library printed is then the only sign
  if (error !== undefined || stack.includes(HDF5_ERROR)) throw fileProblem(path, `${what} (${reasonOf(stack, error)})`);
  return result as T;
}

/** How the HDF5 library starts an error stack. */
const HDF5_ERROR = 'HDF5-DIAG: Error detected';

/** HDF5's innermost message, without its source location; else the thrown text. */
export function reasonOf(stack: string, error?: unknown): string {
  const lines = stack.split('\n').filter((l) => /^\s*#\d+: .*\(\): /.test(l));
  const last = lines.at(-1)?.replace(/^.*?\(\): /, '');
  if (last) return last;
  return error instanceof Error ? error.message : String(error ?? 'HDF5 library error');
}

/**
 * Runs `call` with what the library prints to stderr captured: it writes its error stack to fd 2
 * through fs.writeSync, in one synchronous call, so nothing else runs while that is replaced.
 */
export function captured<T>(call: () => T): { result?: T; stack: string; error?: unknown } {
  const printed: string[] = [];
  const writeSync = fs.writeSync;
  fs.writeSync = ((fd: number, buffer: Uint8Array, offset?: number, length?: number, ...rest: unknown[]) => {
    if (fd !== 2) return (writeSync as (...a: unknown[]) => number)(fd, buffer, offset, length, ...rest);
    const n = length ?? buffer.length - (offset ?? 0);
    printed.push(Buffer.from(buffer.buffer, buffer.byteOffset + (offset ?? 0), n).toString());
    return n;
  }) as typeof fs.writeSync;
  try {
    const result = call();
    return { result, stack: printed.join('') };
  } catch (error) {
    return { stack: printed.join(''), error: error ?? new Error('HDF5 library error') };
  } finally {
    fs.writeSync = writeSync;
  }
}

/** "Dataset", "Group", "ExternalLink", ... of what `get` returned. */
export const kindOf = (entity: unknown): string => String((entity as { type?: unknown }).type ?? 'unknown');

export interface DatasetInfo {
  /** Absolute path inside the file, e.g. "/entry/data/data". */
  path: string;
  shape: number[];
  /** Our dtype name where we read it, else HDF5's description (e.g. "compound", "int64"). */
  dtype: string;
  /** HDF5 chunk shape; null when stored contiguous. */
  chunks: number[] | null;
}

/** At most this many objects are visited when listing a file (NeXus files can hold many). */
const MAX_OBJECTS = 20000;
const MAX_DEPTH = 16;

/** Every dataset in the file (following links, not revisiting), in the file's order. */
export function walkDatasets(file: H5.File, path: string): DatasetInfo[] {
  const found: DatasetInfo[] = [];
  let visited = 0;
  const visit = (group: H5.Group, prefix: string, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    const names = quietly(path, `group ${prefix || '/'} cannot be listed`, () => group.keys());
    for (const name of names) {
      if (++visited > MAX_OBJECTS) return;
      const full = `${prefix}/${name}`;
      // A dangling link or an object the library cannot open is not a volume: skipped.
      const entity = captured(() => group.get(name)).result;
      if (!entity) continue;
      const kind = kindOf(entity);
      if (kind === 'Dataset') {
        const dataset = entity as H5.Dataset;
        const meta = dataset.metadata;
        found.push({ path: full, shape: dataset.shape ?? [], dtype: describeType(meta), chunks: meta.chunks ?? null });
      } else if (kind === 'Group') visit(entity as H5.Group, full, depth + 1);
    }
  };
  visit(file, '', 0);
  return found;
}

/** HDF5 type metadata as one of our dtype names where it is one. */
export function describeType(meta: H5.Dataset['metadata']): string {
  // h5wasm's type classes: 0 integer, 1 float (HDF5's H5T_class_t).
  if (meta.type === 0 && [1, 2, 4, 8].includes(meta.size)) return `${meta.signed ? 'int' : 'uint'}${meta.size * 8}`;
  if (meta.type === 1 && (meta.size === 4 || meta.size === 8)) return `float${meta.size * 8}`;
  const names: Record<number, string> = {
    2: 'time',
    3: 'string',
    4: 'bitfield',
    5: 'opaque',
    6: 'compound',
    7: 'reference',
    8: 'enum',
    9: 'vlen',
    10: 'array',
  };
  return names[meta.type] ?? `type class ${meta.type}`;
}
