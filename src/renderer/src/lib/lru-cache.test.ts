import { describe, expect, it } from 'vitest';
import { LruCache } from './lru-cache';

describe('LruCache', () => {
  it('evicts the least recently used entries beyond its size', () => {
    const cache = new LruCache<string>(10, (value) => value.length);
    cache.set('a', 'xxxx');
    cache.set('b', 'xxxx');
    cache.get('a');
    cache.set('c', 'xxxx');
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('xxxx');
    expect(cache.size).toBe(8);
  });

  it('keeps an entry larger than the bound until the next one', () => {
    const cache = new LruCache<string>(3, (value) => value.length);
    cache.set('big', 'xxxxx');
    expect(cache.get('big')).toBe('xxxxx');
    cache.set('small', 'x');
    expect(cache.get('big')).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  it('drops the entries a test picks', () => {
    const cache = new LruCache<string>(100, (value) => value.length);
    cache.set('v1:z:0', 'ab');
    cache.set('v1:y:0', 'ab');
    cache.set('v2:z:0', 'ab');
    cache.deleteWhere((key) => key.startsWith('v1:'));
    expect(cache.size).toBe(2);
    expect(cache.get('v2:z:0')).toBe('ab');
  });
});
