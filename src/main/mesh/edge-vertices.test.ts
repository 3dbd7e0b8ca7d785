import { describe, expect, it } from 'vitest';
import { EdgeVertices, orderById } from './edge-vertices';

describe('lattice edges to vertices', () => {
  it('finds the vertex of each edge after growing', () => {
    const map = new EdgeVertices();
    // ids beyond 2^32 (a 2048³ volume's lattice) and many more than the first table holds
    const ids = Array.from({ length: 200_000 }, (_, i) => (i % 2 ? 2 ** 35 + i * 7 : i * 13));
    ids.forEach((id, i) => map.set(id, i));
    expect(map.size).toBe(ids.length);
    expect(ids.every((id, i) => map.get(id) === i)).toBe(true);
    expect(map.get(5)).toBe(-1);
    expect(map.get(2 ** 35)).toBe(-1);
  });

  it('forgets every edge when cleared', () => {
    const map = new EdgeVertices();
    for (let id = 0; id < 100_000; id++) map.set(id * 3, id);
    map.clear();
    expect([map.size, map.get(0), map.get(3 * 99_999)]).toEqual([0, -1, -1]);
    map.set(6, 0);
    expect(map.get(6)).toBe(0);
  });

  it('orders vertices by their edge ids', () => {
    const ids = Array.from({ length: 200_000 }, (_, i) => (i % 2 ? 2 ** 35 + i * 7 : (i * 7919) % 200_003));
    const byId = Array.from(orderById(Float64Array.from(ids)));
    expect(byId.map((v) => ids[v])).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(byId).size).toBe(ids.length);
  });
});
