// Seeded damage to files, the way disks, networks and interrupted copies damage them: flipped
// bits, a truncated end, a run of random or zero bytes. The same seed damages the same way.
import { readFileSync, writeFileSync } from 'node:fs';
import { Random } from '../../src/main/engine/random';

export type DamageKind = 'one bit' | 'bit flips' | 'truncated' | 'random bytes' | 'zeroed bytes';
const KINDS: DamageKind[] = ['one bit', 'bit flips', 'truncated', 'random bytes', 'zeroed bytes'];

export interface Damage {
  kind: DamageKind;
  /** Byte offset where it starts. */
  at: number;
  /** What it did, in words, for a failing case's message. */
  what: string;
}

/** Damages `path` in place; `within` limits it to a byte range (e.g. a header). */
export function damageFile(path: string, seed: number, within?: [number, number]): Damage {
  const random = new Random(seed);
  const bytes = readFileSync(path);
  const [lo, hi] = within ?? [0, bytes.length];
  const kind = KINDS[random.int(KINDS.length)]!;
  const at = lo + random.int(Math.max(1, hi - lo));
  if (kind === 'truncated') {
    writeFileSync(path, bytes.subarray(0, at));
    return { kind, at, what: `truncated to ${at} of ${bytes.length} bytes` };
  }
  if (kind === 'one bit') {
    const bit = random.int(8);
    bytes[at] = bytes[at]! ^ (1 << bit);
    writeFileSync(path, bytes);
    return { kind, at, what: `bit ${bit} of byte ${at} flipped` };
  }
  // a few flips anywhere in the range, or a run of up to 16 bytes
  const length = Math.min(bytes.length - at, 1 + random.int(kind === 'bit flips' ? 3 : 16));
  for (let i = 0; i < length; i++) {
    const j = kind === 'bit flips' ? lo + random.int(Math.max(1, hi - lo)) : at + i;
    bytes[j] = kind === 'bit flips' ? bytes[j]! ^ (1 << random.int(8)) : kind === 'zeroed bytes' ? 0 : random.int(256);
  }
  writeFileSync(path, bytes);
  return { kind, at, what: `${kind}: ${length} at ${kind === 'bit flips' ? 'random offsets' : `offset ${at}`}` };
}
