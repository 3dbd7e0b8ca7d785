import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveStoredPath, storedRelativePath } from './paths';

describe('project paths', () => {
  const project = resolve('/lab/projects/study.tomoseg');

  it('stores paths relative to the project folder with forward slashes', () => {
    expect(storedRelativePath(project, resolve('/lab/projects/data/scan.tif'))).toBe('data/scan.tif');
    expect(storedRelativePath(project, resolve('/lab/raw/scan.zarr'))).toBe('../raw/scan.zarr');
  });

  it('resolves stored paths written with either separator', () => {
    expect(resolveStoredPath(project, 'data/scan.tif')).toBe(join(resolve('/lab/projects'), 'data', 'scan.tif'));
    expect(resolveStoredPath(project, 'data\\scan.tif')).toBe(join(resolve('/lab/projects'), 'data', 'scan.tif'));
    expect(resolveStoredPath(project, '..\\raw\\scan.zarr')).toBe(join(resolve('/lab'), 'raw', 'scan.zarr'));
  });

  it('keeps a path that could not be made relative (another Windows drive) as it is', () => {
    expect(resolveStoredPath(project, 'D:\\scans\\scan.tif')).toBe('D:\\scans\\scan.tif');
  });
});
