/**
 * Compressed data that does not decode to what it must (a damaged or hostile chunk or strip).
 * Codecs throw it with what is wrong; readers add the file and chunk.
 */
export class CorruptData extends Error {
  override readonly name = 'CorruptData';
}
