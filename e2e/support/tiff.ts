// Minimal uncompressed little-endian TIFF writers: one page, to make deliberately broken files; a
// stack of pages, to serve a volume made in the test.
const SHORT = 3;
const LONG = 4;

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
  writeIfd(file, ifdOffset, tags);
  return file;
}

/** Writes an IFD of single-valued tags at `at` (entry count, entries, next-IFD offset left 0). */
function writeIfd(file: Buffer, at: number, tags: [number, number, number][]): void {
  file.writeUInt16LE(tags.length, at);
  tags.forEach(([tag, type, value], i) => {
    const entry = at + 2 + i * 12;
    file.writeUInt16LE(tag, entry);
    file.writeUInt16LE(type, entry + 2);
    file.writeUInt32LE(1, entry + 4);
    if (type === SHORT) file.writeUInt16LE(value, entry + 8);
    else file.writeUInt32LE(value, entry + 8);
  });
}

/** An uncompressed little-endian 8- or 16-bit multi-page TIFF, one strip per z page (shape z, y, x). */
export function stackTiff([depth, height, width]: [number, number, number], data: Uint8Array | Uint16Array): Buffer {
  const bytes = data.BYTES_PER_ELEMENT;
  const tagCount = 9;
  const pageBytes = height * width * bytes;
  const ifdBytes = 2 + tagCount * 12 + 4;
  const file = Buffer.alloc(8 + depth * (pageBytes + ifdBytes));
  file.write('II', 0, 'latin1');
  file.writeUInt16LE(42, 2);
  let at = 8;
  let link = 4;
  for (let z = 0; z < depth; z++) {
    const strip = at;
    const page = data.subarray(z * height * width, (z + 1) * height * width);
    file.set(new Uint8Array(page.buffer, page.byteOffset, page.byteLength), strip); // little-endian hosts
    const ifd = strip + pageBytes;
    file.writeUInt32LE(ifd, link);
    writeIfd(file, ifd, [
      [256, LONG, width],
      [257, LONG, height],
      [258, SHORT, 8 * bytes],
      [259, SHORT, 1], // no compression
      [262, SHORT, 1], // black is zero
      [273, LONG, strip],
      [277, SHORT, 1],
      [278, LONG, height],
      [279, LONG, pageBytes],
    ]);
    link = ifd + 2 + tagCount * 12;
    at = link + 4;
  }
  return file;
}
