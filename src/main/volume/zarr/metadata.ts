// Checks a Zarr array's own metadata (.zarray or zarr.json) before zarrita reads it, so that a
// damaged or unusual file is refused at open, naming the file and what is wrong with it. zarrita
// itself, failing on a v2 array, goes on to try v3 and reports that as missing; and a zero chunk
// size or a string shape would only fail much later, or never (a loop that does not end).
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DTYPES } from '../../../shared/volume';
import { checkVolumeSize } from '../chunked';
import { explain, fileProblem, unsupported } from '../errors';

/** What the rest of the reader needs to find the chunk files. */
export interface ArrayLayout {
  /** The metadata file, for messages. */
  file: string;
  /** 'zarr.json' or '.zarray'. */
  name: string;
  shape: number[];
  chunks: number[];
  /** Chunk key of grid position `index`, relative to the array folder ('c/0/0/0', '0.0.0'). */
  key(index: number[], separator?: string): string;
  separator: '.' | '/';
  /** How the metadata names the separator, for messages. */
  separatorField: string;
}

/** numpy's type codes (v2) by kind letter and size, with their v3 names. */
const V2_KINDS: Record<string, string> = { b: 'bool', i: 'int', u: 'uint', f: 'float', c: 'complex' };
/** v3 data types that exist but that we do not read (the ones we read are DTYPES). */
const V3_OTHERS = ['bool', 'int64', 'uint64', 'float16', 'complex64', 'complex128', 'string', 'bytes'];

/** Reads the metadata of the array in `folder`, if it is one, and checks it. */
export async function readArrayLayout(folder: string): Promise<ArrayLayout | undefined> {
  const v3 = await readJson(join(folder, 'zarr.json'));
  if (v3 !== undefined) return isArray(v3.json) ? checkV3(v3.file, v3.json) : undefined;
  const v2 = await readJson(join(folder, '.zarray'));
  if (v2) return checkV2(v2.file, v2.json);
  // A v2 group: its metadata must be JSON too.
  for (const name of ['.zgroup', '.zattrs']) await readJson(join(folder, name));
  return undefined;
}

/** The parsed JSON of a metadata file, or undefined where there is none. */
async function readJson(file: string): Promise<{ file: string; json: Record<string, unknown> } | undefined> {
  const info = await stat(file).catch(() => undefined);
  if (!info) return undefined;
  // A named pipe would wait for a writer for ever.
  if (!info.isFile()) throw fileProblem(file, 'is not a regular file');
  const text = await readFile(file, 'utf8').catch((error: unknown) => {
    throw explain(file, error);
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw fileProblem(file, `is not valid JSON (${(error as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw fileProblem(file, 'is not a JSON object');
  return { file, json: json as Record<string, unknown> };
}

const isArray = (json: Record<string, unknown>): boolean => json.node_type === 'array';

function checkV2(file: string, m: Record<string, unknown>): ArrayLayout {
  const folder = file.slice(0, -'/.zarray'.length);
  const dtype = m.dtype;
  if (Array.isArray(dtype)) throw unsupported(folder, 'a structured data type');
  const match = typeof dtype === 'string' ? /^[<>|=]([biufc])(\d+)$/.exec(dtype) : null;
  // Text, bytes, objects and dates.
  if (typeof dtype === 'string' && /^[<>|=][SUVOMm]\d*(\[\w+\])?$/.test(dtype))
    throw unsupported(folder, `data type ${dtype}`);
  if (!match) throw fileProblem(file, `data type ${JSON.stringify(dtype)} is not a Zarr data type`);
  const size = Number(match[2]);
  const name = `${V2_KINDS[match[1]!]}${match[1] === 'b' ? '' : size * 8}`;
  if (!(DTYPES as readonly string[]).includes(name)) throw unsupported(folder, `data type ${name} (${dtype})`);
  const { shape, chunks } = checkGrid(file, m.shape, m.chunks, 'chunks', size);
  const separator = m.dimension_separator ?? '.';
  if (separator !== '.' && separator !== '/')
    throw fileProblem(file, `dimension_separator ${JSON.stringify(separator)} must be "." or "/"`);
  return {
    file,
    name: '.zarray',
    shape,
    chunks,
    separator,
    separatorField: 'dimension_separator',
    key: (index, sep = separator) => index.join(sep),
  };
}

function checkV3(file: string, m: Record<string, unknown>): ArrayLayout {
  const folder = file.slice(0, -'/zarr.json'.length);
  const dtype = m.data_type;
  if (
    typeof dtype !== 'string' ||
    !(DTYPES.includes(dtype as never) || V3_OTHERS.includes(dtype) || /^r\d+$/.test(dtype))
  )
    throw fileProblem(file, `data type ${JSON.stringify(dtype)} is not a Zarr data type`);
  if (!(DTYPES as readonly string[]).includes(dtype)) throw unsupported(folder, `data type ${dtype}`);
  const grid = m.chunk_grid as { name?: unknown; configuration?: { chunk_shape?: unknown } } | undefined;
  if (m.shape === undefined) throw fileProblem(file, 'has no shape');
  if (grid === undefined) throw fileProblem(file, 'has no chunk_grid');
  if (grid.name !== 'regular') throw unsupported(folder, `chunk grid ${JSON.stringify(grid.name)}`);
  const size = Number(/\d+/.exec(dtype)![0]) / 8;
  const { shape, chunks } = checkGrid(file, m.shape, grid.configuration?.chunk_shape, 'chunks', size);
  // Sharded arrays are read by their inner chunks.
  const codecs = Array.isArray(m.codecs)
    ? (m.codecs as { name?: unknown; configuration?: Record<string, unknown> }[])
    : [];
  const sharding = codecs.find((c) => c?.name === 'sharding_indexed');
  if (sharding) checkGrid(file, shape, sharding.configuration?.chunk_shape, 'inner chunks', size);
  const encoding = m.chunk_key_encoding as { name?: unknown; configuration?: { separator?: unknown } } | undefined;
  if (encoding === undefined) throw fileProblem(file, 'has no chunk_key_encoding');
  const v2Keys = encoding.name === 'v2';
  if (encoding.name !== 'default' && !v2Keys)
    throw unsupported(folder, `chunk key encoding ${JSON.stringify(encoding.name)}`);
  const separator = encoding.configuration?.separator ?? (v2Keys ? '.' : '/');
  if (separator !== '.' && separator !== '/')
    throw fileProblem(file, `chunk_key_encoding separator ${JSON.stringify(separator)} must be "." or "/"`);
  return {
    file,
    name: 'zarr.json',
    shape,
    chunks,
    separator,
    separatorField: 'chunk_key_encoding separator',
    key: (index, sep = separator) => (v2Keys ? index : ['c', ...index]).join(sep),
  };
}

/** Shape and chunk size: positive whole numbers of one rank, and a size that can be addressed. */
function checkGrid(
  file: string,
  shape: unknown,
  chunks: unknown,
  what: string,
  bytes: number,
): { shape: number[]; chunks: number[] } {
  const whole = (v: unknown): v is number[] =>
    Array.isArray(v) && v.length > 0 && v.every((n) => typeof n === 'number' && Number.isInteger(n) && n > 0);
  if (shape === undefined) throw fileProblem(file, 'has no shape');
  if (chunks === undefined) throw fileProblem(file, `has no ${what}`);
  if (!whole(shape)) throw fileProblem(file, `shape ${JSON.stringify(shape)} must be positive whole numbers`);
  if (!whole(chunks)) throw fileProblem(file, `${what} ${JSON.stringify(chunks)} must be positive whole numbers`);
  if (chunks.length !== shape.length)
    throw fileProblem(
      file,
      `${what} ${JSON.stringify(chunks)} have ${chunks.length} dimensions but the shape ${JSON.stringify(shape)} has ${shape.length}`,
    );
  checkVolumeSize(file, shape, bytes);
  // One chunk is decoded into one buffer.
  const chunkBytes = chunks.reduce((a, b) => a * b, bytes);
  if (chunkBytes > 2 ** 31)
    throw fileProblem(file, `${what} ${chunks.join('×')} are too large: ${chunkBytes} bytes each, over 2 GiB`);
  return { shape, chunks };
}
