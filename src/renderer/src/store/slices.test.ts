import { describe, expect, it } from 'vitest';
import type { VolumeLevel } from '../../../shared/api';
import type { Axis } from '../../../shared/volume';
import { SliceSource } from './slices';

interface Fake {
  data: Uint8Array;
  tag: string;
}

/** A reader whose answers the test releases by hand, recording what was asked. */
function manualReader() {
  const asked: string[] = [];
  const waiting = new Map<string, (slice: Fake) => void>();
  let version = 0;
  const read = (volumeId: string, axis: Axis, index: number, level: number): Promise<Fake> => {
    const key = `${volumeId}:${axis}:${index}${level ? `/L${level}` : ''}`;
    asked.push(key);
    return new Promise((resolve) => waiting.set(key, resolve));
  };
  const answer = (key: string): void => {
    waiting.get(key)!({ data: new Uint8Array(10), tag: `${key}@${version}` });
    waiting.delete(key);
  };
  return { read, asked, answer, bump: () => version++ };
}

const flush = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('SliceSource', () => {
  it('shows the newest wanted slice, never a late answer to an older one', async () => {
    const reader = manualReader();
    const source = new SliceSource(reader.read, () => undefined);
    void source.show('v', 'z', 1, 10);
    void source.show('v', 'z', 2, 10);
    reader.answer('v:z:2');
    await flush();
    reader.answer('v:z:1');
    await flush();
    expect(source.shownSlice('v', 'z')?.index).toBe(2);
  });

  it('prefetches the neighbours and serves them from the cache', async () => {
    const reader = manualReader();
    const source = new SliceSource(reader.read, () => undefined);
    void source.show('v', 'z', 5, 10);
    reader.answer('v:z:5');
    await flush();
    expect(reader.asked).toEqual(['v:z:5', 'v:z:6', 'v:z:4']);
    reader.answer('v:z:6');
    await flush();
    await source.show('v', 'z', 6, 10);
    expect(source.shownSlice('v', 'z')?.slice.tag).toBe('v:z:6@0');
    expect(reader.asked.filter((key) => key === 'v:z:6')).toHaveLength(1);
  });

  it('loads only the shown slice when told not to prefetch', async () => {
    const reader = manualReader();
    const source = new SliceSource(reader.read, () => undefined, { prefetch: false });
    void source.show('v', 'z', 5, 10);
    reader.answer('v:z:5');
    await flush();
    expect(reader.asked).toEqual(['v:z:5']);
    expect(source.shownSlice('v', 'z')?.index).toBe(5);
  });

  it('refetches what a changed region crosses and keeps the rest cached', async () => {
    const reader = manualReader();
    const source = new SliceSource(reader.read, () => undefined);
    void source.show('v', 'z', 5, 6);
    reader.answer('v:z:5');
    await flush();
    reader.answer('v:z:4');
    reader.bump();
    const done = source.invalidate('v', { start: [5, 0, 0], shape: [1, 4, 4] });
    await flush();
    reader.answer('v:z:5');
    await done;
    expect(source.shownSlice('v', 'z')?.slice.tag).toBe('v:z:5@1');
    const before = reader.asked.length;
    void source.show('v', 'z', 4, 6);
    expect(reader.asked.length).toBe(before);
  });

  it('reports a failed read of the wanted slice', async () => {
    const errors: string[] = [];
    const source = new SliceSource(
      () => Promise.reject(new Error('broken block')),
      (error, axis, index) => errors.push(`${axis}${index}: ${(error as Error).message}`),
    );
    await source.show('v', 'x', 3, 10);
    expect(errors).toEqual(['x3: broken block']);
  });

  describe('with a pyramid', () => {
    // 1024³ at 1 µm, halved three times: 512³, 256³ (the preview level), 128³.
    const pyramid: VolumeLevel[] = [1, 2, 4, 8].map((f) => ({
      shape: [1024 / f, 1024 / f, 1024 / f],
      voxelSize: [f, f, f],
    }));

    it('reads the level that fills the screen pixels', () => {
      const source = new SliceSource(manualReader().read, () => undefined);
      expect(source.levelFor('v', 'z', 0.5)).toBe(0);
      source.setLevels('v', pyramid);
      expect(source.levelFor('v', 'z', 0.5)).toBe(0);
      expect(source.levelFor('v', 'z', 2.5)).toBe(1);
      expect(source.levelFor('v', 'y', 100)).toBe(3);
    });

    it('shows a coarse stand-in until the wanted level arrives, never after it', async () => {
      const reader = manualReader();
      const source = new SliceSource(reader.read, () => undefined);
      source.setLevels('v', pyramid);
      void source.show('v', 'z', 601, 1024, 1);
      expect(reader.asked).toEqual(['v:z:150/L2', 'v:z:300/L1']);
      reader.answer('v:z:150/L2');
      await flush();
      expect(source.shownSlice('v', 'z')).toMatchObject({ index: 601, level: 2, factor: [4, 4, 4] });
      reader.answer('v:z:300/L1');
      await flush();
      expect(source.shownSlice('v', 'z')).toMatchObject({ index: 601, level: 1, factor: [2, 2, 2] });
      // the neighbours at level 1 come next; a cached stand-in shows at once
      expect(reader.asked.slice(2)).toEqual(['v:z:301/L1', 'v:z:299/L1']);
      void source.show('v', 'z', 603, 1024, 1);
      await flush();
      expect(source.shownSlice('v', 'z')).toMatchObject({ index: 603, level: 2 });
      reader.answer('v:z:301/L1');
      await flush();
      expect(source.shownSlice('v', 'z')).toMatchObject({ index: 603, level: 1 });
      expect(reader.asked).toHaveLength(5);
    });

    it('reads full resolution without a stand-in where the preview level is no coarser', async () => {
      const reader = manualReader();
      const source = new SliceSource(reader.read, () => undefined, { prefetch: false });
      source.setLevels('v', pyramid);
      void source.show('v', 'x', 7, 1024, 3);
      expect(reader.asked).toEqual(['v:x:0/L3']);
    });
  });
});
