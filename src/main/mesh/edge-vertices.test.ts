import { describe, expect, it } from 'vitest';
import { EdgeVertices } from './edge-vertices';

describe('lattice edges to vertices', () => {
  it('numbers edges in the order added, finds them after growing, and sorts the vertices by id', () => {
    const map = new EdgeVertices();
    // ids beyond 2^32 (a 2048³ volume's lattice) and many more than the first table holds
    const ids = Array.from({ length: 200_000 }, (_, i) => (i % 2 ? 2 ** 35 + i * 7 : i * 13));
    ids.forEach((id, i) => expect(map.add(id)).toBe(i));
    expect(map.size).toBe(ids.length);
    expect(ids.every((id, i) => map.get(id) === i)).toBe(true);
    expect(map.get(5)).toBe(-1);
    expect(map.get(2 ** 35)).toBe(-1);
    const byId = Array.from(map.takeVerticesById());
    expect(byId.map((v) => ids[v])).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(byId).size).toBe(ids.length);
    expect([map.size, map.get(ids[0]!)]).toEqual([0, -1]); // taken: emptied
  });

  it('forgets every edge when cleared, and numbers from 0 again', () => {
    const map = new EdgeVertices();
    for (let id = 0; id < 100_000; id++) map.add(id * 3);
    map.clear();
    expect([map.size, map.get(0), map.get(3 * 99_999)]).toEqual([0, -1, -1]);
    expect(map.add(6)).toBe(0);
    expect(map.get(6)).toBe(0);
  });
});
