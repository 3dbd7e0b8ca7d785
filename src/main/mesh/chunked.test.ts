import { describe, expect, it } from 'vitest';
import { chunkedFloats, chunkedUints } from './chunked';

describe('chunked lists', () => {
  // more items than one chunk holds (2^18), so the values span several chunks
  const items = 600_000;

  it('gives back every item pushed, in order, whole items to a chunk', () => {
    const points = chunkedFloats(3);
    for (let i = 0; i < items; i++) for (let k = 0; k < 3; k++) points.push(i + k / 4);
    expect(points.length).toBe(items * 3);
    const views = [...points.views()];
    expect(views.map((v) => v.length)).toEqual([3 * 262_144, 3 * 262_144, 3 * (items - 2 * 262_144)]);
    let next = 0;
    let ordered = true;
    for (const view of views)
      for (let i = 0; i < view.length; i += 3, next++)
        ordered &&= view[i] === next && view[i + 1] === next + 0.25 && view[i + 2] === next + 0.5;
    expect([ordered, next]).toEqual([true, items]);
  });

  it('is empty once drained, after yielding the values in order', () => {
    const numbers = chunkedUints(1);
    for (let i = 0; i < items; i++) numbers.push(i * 2);
    let next = 0;
    let ordered = true;
    for (const chunk of numbers.drain()) for (const value of chunk) ordered &&= value === 2 * next++;
    expect([ordered, next, numbers.length, [...numbers.views()].length]).toEqual([true, items, 0, 0]);
  });
});
