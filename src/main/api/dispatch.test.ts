import { describe, expect, it } from 'vitest';
import { TomosegError } from '../../shared/errors';
import { type Handlers, dispatch } from './dispatch';

const handlers = {
  readSlice: async (args: unknown) => args,
  appInfo: async () => ({ version: '1', shell: 'web', platform: 'linux' }),
} as unknown as Handlers;

describe('dispatch', () => {
  it('passes validated arguments to the handler', async () => {
    const args = { volumeId: 'v', axis: 'y', index: 3 };
    await expect(dispatch(handlers, 'readSlice', args)).resolves.toEqual(args);
  });

  it('rejects unknown methods as bad input', async () => {
    await expect(dispatch(handlers, 'constructor', {})).rejects.toMatchObject({ kind: 'bad-input' });
    await expect(dispatch(handlers, 'dropDatabase', {})).rejects.toThrow(/unknown API method "dropDatabase"/);
  });

  it('names the offending argument', async () => {
    const error: unknown = await dispatch(handlers, 'readSlice', { volumeId: 'v', axis: 'w', index: -1 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TomosegError);
    expect((error as Error).message).toMatch(/readSlice: axis: .*; index: /);
  });
});
