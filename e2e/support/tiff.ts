// A minimal one-page, uncompressed little-endian TIFF writer, to make deliberately broken files.
export interface TinyTiff {
  width: number;
  height: number;
  bitsPerSample: number;
  /** 1 unsigned, 2 signed, 3 float, 5/6 complex. */
  sampleFormat: number;
  /** The pixel bytes actually stored (may disagree with width × height on purpose). */
  data: Uint8Array;
}

export function tinyTiff({ width, height, bitsPerSample, sampleFormat, data }: TinyTiff): Buffer {
  const SHORT = 3;
  const LONG = 4;
  const dataOffset = 8;
  const ifdOffset = dataOffset + data.length + (data.length % 2);
  const tags: [number, number, number][] = [
    [256, LONG, width],
    [257, LONG, height],
    [258, SHORT, bitsPerSample],
    [259, SHORT, 1], // no compression
    [262, SHORT, 1], // black is zero
    [273, LONG, dataOffset],
    [277, SHORT, 1],
    [278, LONG, height],
    [279, LONG, data.length],
    [339, SHORT, sampleFormat],
  ];
  const file = Buffer.alloc(ifdOffset + 2 + tags.length * 12 + 4);
  file.write('II', 0, 'latin1');
  file.writeUInt16LE(42, 2);
  file.writeUInt32LE(ifdOffset, 4);
  file.set(data, dataOffset);
  file.writeUInt16LE(tags.length, ifdOffset);
  tags.forEach(([tag, type, value], i) => {
    const at = ifdOffset + 2 + i * 12;
    file.writeUInt16LE(tag, at);
    file.writeUInt16LE(type, at + 2);
    file.writeUInt32LE(1, at + 4);
    if (type === SHORT) file.writeUInt16LE(value, at + 8);
    else file.writeUInt32LE(value, at + 8);
  });
  return file;
}
