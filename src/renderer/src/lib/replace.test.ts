import { describe, expect, it } from 'vitest';
import { TomosegError } from '../../../shared/errors';
import { Declined, replaceIfAsked } from './replace';

/** A write whose output exists until it is told to overwrite; records each call's `overwrite`. */
function writer(exists: boolean) {
  const calls: boolean[] = [];
  const write = async (overwrite: boolean): Promise<string> => {
    calls.push(overwrite);
    if (exists && !overwrite)
      throw new TomosegError('exists', '/data/seg.tif: already exists (choose another name or overwrite)');
    return 'written';
  };
  return { calls, write };
}

describe('replaceIfAsked', () => {
  it('writes once, asking nothing, where nothing is in the way', async () => {
    const { calls, write } = writer(false);
    const asked: string[] = [];
    expect(await replaceIfAsked(write, (q) => (asked.push(q), true))).toBe('written');
    expect(calls).toEqual([false]);
    expect(asked).toEqual([]);
  });

  it('asks before replacing an existing output, and replaces it only if the user agrees', async () => {
    const agreed = writer(true);
    const asked: string[] = [];
    expect(await replaceIfAsked(agreed.write, (q) => (asked.push(q), true))).toBe('written');
    expect(agreed.calls).toEqual([false, true]);
    expect(asked).toEqual(['/data/seg.tif: already exists.\n\nReplace it?']);

    const declined = writer(true);
    await expect(replaceIfAsked(declined.write, () => false)).rejects.toBeInstanceOf(Declined);
    expect(declined.calls).toEqual([false]);
  });

  it('passes other refusals on without asking', async () => {
    const write = async (): Promise<string> => {
      throw new TomosegError('conflict', 'an export of this volume is already running');
    };
    await expect(replaceIfAsked(write, () => true)).rejects.toMatchObject({ kind: 'conflict' });
  });
});
