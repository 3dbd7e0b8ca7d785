import type { Stroke } from '../labels';

/** The k-th stroke of a deterministic painting session on an [8, 64, 64] volume. */
export function testStroke(k: number): Stroke {
  return {
    value: (k % 5) + 1,
    shapes: [{ kind: 'disc', axis: 'z', center: [k % 8, (k * 5) % 64, (k * 11) % 64], radius: 3 }],
  };
}
