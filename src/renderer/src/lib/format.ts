import type { Dtype, Vec3 } from '../../../shared/volume';

/** A voxel value as the dtype stores it: integers exactly, floats to 5 significant digits. */
export function formatValue(value: number, dtype: Dtype): string {
  return dtype.startsWith('float') ? Number(value.toPrecision(5)).toString() : String(value);
}

/** A window/level value at the data's precision: whole numbers for integer data. */
export const formatLevel = (value: number, dtype: Dtype): string =>
  dtype.startsWith('float') ? formatValue(value, dtype) : String(Math.round(value));

/** A physical length, trimmed to 4 significant digits. */
export const formatLength = (value: number): string => Number(value.toPrecision(4)).toString();

/** A number typed into a field; empty: undefined, so the service's default applies. */
export const typedNumber = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text));

export const formatVec = (v: Vec3, format: (n: number) => string = String): string => v.map(format).join(' × ');

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number(value.toPrecision(3))} ${units[unit]}`;
}
