import { type Dtype, type TypedArray, allocate, bytesPerElement } from '../../shared/volume';

/** Reverses the byte order of every element in place. */
export function swapBytes(bytes: Buffer, size: number): void {
  if (size === 2) bytes.swap16();
  else if (size === 4) bytes.swap32();
  else if (size === 8) bytes.swap64();
}

/** Views file bytes as `dtype` in the machine's (little-endian) order, swapping big-endian data. */
export function typedView(bytes: Buffer, dtype: Dtype, littleEndian = true): TypedArray {
  const size = bytesPerElement(dtype);
  const aligned = bytes.byteOffset % size === 0 ? bytes : Buffer.from(bytes);
  if (!littleEndian) swapBytes(aligned, size);
  const Ctor = allocate(dtype, 0).constructor as new (
    buffer: ArrayBufferLike,
    offset: number,
    length: number,
  ) => TypedArray;
  return new Ctor(aligned.buffer, aligned.byteOffset, aligned.length / size);
}

/** The bytes of a typed array, without copying. */
export const bytesOf = (data: TypedArray): Buffer => Buffer.from(data.buffer, data.byteOffset, data.byteLength);
