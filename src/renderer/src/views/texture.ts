import type { TypedArray } from '../../../shared/volume';

/** WebGL 2 textures take 8/16-bit integers and float32; wider types go as float32. */
export function textureValues(data: TypedArray): TypedArray {
  return data instanceof Float64Array || data instanceof Int32Array || data instanceof Uint32Array
    ? Float32Array.from(data)
    : data;
}
