// Minimal uncompressed little-endian TIFF writers: one page, to make deliberately broken files; a
// 16-bit stack, to serve a volume made in the test.
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

/** An uncompressed little-endian 16-bit multi-page TIFF, one strip per z page (shape z, y, x). */
export function stackTiff16([depth, height, width]: [number, number, number], data: Uint16Array): Buffer {
  const SHORT = 3;
  const LONG = 4;
  const tags = 9;
  const pageBytes = height * width * 2;
  const ifdBytes = 2 + tags * 12 + 4;
  const file = Buffer.alloc(8 + depth * (pageBytes + ifdBytes));
  file.write('II', 0, 'latin1');
  file.writeUInt16LE(42, 2);
  let at = 8;
  let link = 4;
  for (let z = 0; z < depth; z++) {
    const strip = at;
    for (let i = 0; i < height * width; i++) file.writeUInt16LE(data[z * height * width + i]!, strip + 2 * i);
    const ifd = strip + pageBytes;
    file.writeUInt32LE(ifd, link);
    file.writeUInt16LE(tags, ifd);
    const entries: [number, number, number][] = [
      [256, LONG, width],
      [257, LONG, height],
      [258, SHORT, 16],
      [259, SHORT, 1], // no compression
      [262, SHORT, 1], // black is zero
      [273, LONG, strip],
      [277, SHORT, 1],
      [278, LONG, height],
      [279, LONG, pageBytes],
    ];
    entries.forEach(([tag, type, value], i) => {
      const entry = ifd + 2 + i * 12;
      file.writeUInt16LE(tag, entry);
      file.writeUInt16LE(type, entry + 2);
      file.writeUInt32LE(1, entry + 4);
      if (type === SHORT) file.writeUInt16LE(value, entry + 8);
      else file.writeUInt32LE(value, entry + 8);
    });
    link = ifd + 2 + tags * 12;
    at = link + 4;
  }
  return file;
}
