// Zstandard frames (Zarr chunks, streams inside Blosc, TIFF strips), decoded in one call into a
// buffer of the size the frame header declares. numcodecs' decoder loops for ever on some damaged
// frames (a frame followed by a few stray bytes), and geotiff's returns zeros for data that is not
// Zstandard at all; zstddec's one-call decoder does neither, and a failure shows as a wrong size.
import { ZSTDDecoder } from 'zstddec';
import { CorruptData } from './corrupt';

const MAGIC = 0xfd2fb528;
const decoder = new ZSTDDecoder();
let ready: Promise<void> | undefined;

/** The content size a frame header declares, or undefined where it does not say. */
function contentSize(bytes: Uint8Array): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 6 || view.getUint32(0, true) !== MAGIC) throw new CorruptData('not Zstandard data');
  const descriptor = bytes[4]!;
  const singleSegment = (descriptor >> 5) & 1;
  const sizeBytes = [singleSegment, 2, 4, 8][descriptor >> 6]!;
  if (sizeBytes === 0) return undefined;
  const at = 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][descriptor & 3]!;
  if (at + sizeBytes > bytes.length) throw new CorruptData('Zstandard frame header is cut short');
  if (sizeBytes === 1) return bytes[at]!;
  if (sizeBytes === 2) return view.getUint16(at, true) + 256;
  if (sizeBytes === 4) return view.getUint32(at, true);
  return Number(view.getBigUint64(at, true));
}

/**
 * Decodes Zstandard data of at most `limit` bytes, exactly `limit` where `exact` (a Blosc stream).
 * Anything else, or data the decoder rejects, throws CorruptData.
 */
export async function decodeZstd(bytes: Uint8Array, limit: number, exact = false): Promise<Uint8Array> {
  const declared = contentSize(bytes);
  if (declared !== undefined && (exact ? declared !== limit : declared > limit))
    throw new CorruptData(
      `Zstandard frame declares ${declared} bytes, ${exact ? 'not' : 'more than'} the ${limit} expected`,
    );
  const size = declared ?? limit;
  if (!Number.isFinite(size)) throw new CorruptData('Zstandard frame does not declare its size');
  await (ready ??= decoder.init());
  // The decoder reports an error as an empty result.
  const out = size === 0 ? new Uint8Array(0) : decoder.decode(bytes, size);
  const wanted = declared ?? (exact ? limit : undefined);
  if (wanted !== undefined ? out.length !== wanted : out.length === 0)
    throw new CorruptData(`Zstandard data is damaged (it decodes to ${out.length} bytes, expected ${size})`);
  return out;
}
