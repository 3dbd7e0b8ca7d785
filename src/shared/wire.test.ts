import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from './wire';

describe('wire frames', () => {
  it('round-trips nested values with typed arrays of every width', () => {
    const value = {
      id: 7,
      result: {
        width: 3,
        data: new Uint16Array([1, 65535, 300]),
        more: [new Float32Array([0.5, -2]), new Uint8Array([9]), new Float64Array([Math.PI])],
        text: 'µm ✓',
      },
    };
    const decoded = decodeFrame(encodeFrame(value)) as typeof value;
    expect(decoded).toEqual(value);
    expect(decoded.result.data).toBeInstanceOf(Uint16Array);
    expect(decoded.result.more[0]).toBeInstanceOf(Float32Array);
  });

  it('copies only the viewed part of a typed array', () => {
    const backing = new Int16Array([10, 20, 30, 40]);
    const view = backing.subarray(1, 3);
    expect(decodeFrame(encodeFrame({ view }))).toEqual({ view: new Int16Array([20, 30]) });
  });

  it('decodes a frame whose bytes sit at an odd offset of a larger buffer', () => {
    const frame = encodeFrame({ a: new Float32Array([1.5, 2.5]) });
    const shifted = new Uint8Array(frame.length + 3);
    shifted.set(frame, 3);
    expect(decodeFrame(shifted.subarray(3))).toEqual({ a: new Float32Array([1.5, 2.5]) });
  });

  it('refuses frames whose header or payload markers do not fit the frame', () => {
    const withMarker = (marker: unknown): Uint8Array => {
      const header = new TextEncoder().encode(JSON.stringify({ a: { $bin: marker } }));
      const frame = new Uint8Array(8 + ((4 + header.length + 7) & ~7));
      new DataView(frame.buffer).setUint32(0, header.length, true);
      frame.set(header, 4);
      return frame;
    };
    expect(decodeFrame(withMarker(['uint8', 0, 8]))).toEqual({ a: new Uint8Array(8) });
    for (const marker of [
      ['uint8', 0, 9], // past the end
      ['float64', 0, 2 ** 40],
      ['uint8', -8, 1],
      ['uint8', 0.5, 1],
      ['uint8', 0, -1],
      ['nope', 0, 1],
      ['constructor', 0, 1],
      ['__proto__', 0, 1],
    ])
      expect(() => decodeFrame(withMarker(marker)), JSON.stringify(marker)).toThrow(/malformed frame/);
    expect(() => decodeFrame(new Uint8Array([1, 2]))).toThrow(/malformed frame/);
    expect(() => decodeFrame(new Uint8Array([0xff, 0xff, 0xff, 0x7f, 0x7b]))).toThrow(/malformed frame/);
  });
});
