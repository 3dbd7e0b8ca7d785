// Binary framing for the WebSocket transport: typed arrays travel as raw bytes, not JSON numbers.
// Frame = [u32 header length][UTF-8 JSON header][8-byte aligned payloads...]. In the header a
// typed array is replaced by {"$bin": [type, byteOffset, length]}.
import { DTYPES, type Dtype, type TypedArray, allocate, bytesPerElement, dtypeOf } from './volume';

type Marker = { $bin: [Dtype, number, number] };

const isTypedArray = (value: unknown): value is TypedArray => ArrayBuffer.isView(value) && !(value instanceof DataView);

export function encodeFrame(value: unknown): Uint8Array {
  const payloads: { array: TypedArray; offset: number }[] = [];
  let payloadBytes = 0;
  const header = JSON.stringify(value, (_key, item: unknown) => {
    if (!isTypedArray(item)) return item;
    payloadBytes = align8(payloadBytes);
    payloads.push({ array: item, offset: payloadBytes });
    const marker: Marker = { $bin: [dtypeOf(item), payloadBytes, item.length] };
    payloadBytes += item.byteLength;
    return marker;
  });
  const headerBytes = new TextEncoder().encode(header);
  const payloadStart = align8(4 + headerBytes.length);
  const frame = new Uint8Array(payloadStart + payloadBytes);
  new DataView(frame.buffer).setUint32(0, headerBytes.length, true);
  frame.set(headerBytes, 4);
  for (const { array, offset } of payloads)
    frame.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), payloadStart + offset);
  return frame;
}

/** Decodes a frame; throws "malformed frame: ..." when its header or payloads do not fit it. */
export function decodeFrame(frame: Uint8Array): unknown {
  if (frame.length < 4) throw malformed('shorter than its length field');
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const headerLength = view.getUint32(0, true);
  if (headerLength > frame.length - 4) throw malformed('header longer than the frame');
  const header = new TextDecoder().decode(frame.subarray(4, 4 + headerLength));
  const payloadStart = align8(4 + headerLength);
  return JSON.parse(header, (_key, item: unknown) => {
    if (!isMarker(item)) return item;
    const [dtype, offset, length] = item.$bin as unknown[];
    if (!DTYPES.includes(dtype as Dtype)) throw malformed(`unknown array type ${JSON.stringify(dtype)}`);
    const start = payloadStart + (offset as number);
    const bytes = (length as number) * bytesPerElement(dtype as Dtype);
    // Only arrays that lie inside the frame: a marker must not allocate more than the frame holds.
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || (offset as number) < 0 || bytes < 0)
      throw malformed('array offset or length is not a whole number');
    if (start + bytes > frame.length) throw malformed('array beyond the end of the frame');
    const out = allocate(dtype as Dtype, length as number);
    new Uint8Array(out.buffer).set(frame.subarray(start, start + bytes));
    return out;
  });
}

const malformed = (problem: string): Error => new Error(`malformed frame: ${problem}`);

const align8 = (n: number): number => (n + 7) & ~7;

function isMarker(item: unknown): item is Marker {
  return typeof item === 'object' && item !== null && '$bin' in item && Array.isArray(item.$bin);
}
