// ImageJ's TIFF ImageDescription: "ImageJ=1.53t\nimages=128\nslices=128\nunit=micron\nspacing=2.5\n".

export interface ImageJInfo {
  images: number;
  channels: number;
  slices: number;
  /** z voxel size; x and y come from the TIFF resolution tags. */
  spacing?: number;
  unit?: string;
}

export function parseImageJ(description: string | undefined): ImageJInfo | undefined {
  if (!description?.startsWith('ImageJ=')) return undefined;
  const fields = new Map<string, string>();
  for (const line of description.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) fields.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  const num = (key: string): number | undefined => {
    const value = Number(fields.get(key));
    return fields.has(key) && Number.isFinite(value) && value > 0 ? value : undefined;
  };
  const images = num('images') ?? 1;
  const channels = num('channels') ?? 1;
  return {
    images,
    channels,
    slices: num('slices') ?? Math.floor(images / channels),
    spacing: num('spacing'),
    unit: fields.get('unit'),
  };
}

/** ImageJ spells units its own way; OME-Zarr wants UDUNITS names. Unknown units pass through. */
const UNITS: Record<string, string> = {
  micron: 'micrometer',
  um: 'micrometer',
  µm: 'micrometer',
  μm: 'micrometer',
  '\\u00B5m': 'micrometer',
  nm: 'nanometer',
  mm: 'millimeter',
  cm: 'centimeter',
  m: 'meter',
  pixel: '',
  pixels: '',
};

export function physicalUnit(unit: string | undefined): string {
  const trimmed = unit?.trim() ?? '';
  return UNITS[trimmed] ?? trimmed;
}

/** The ImageJ spelling of an OME unit, for the TIFFs we write. */
export function imagejUnit(unit: string): string {
  return unit === 'micrometer'
    ? 'micron'
    : (Object.entries(UNITS).find(([, ome]) => ome === unit && ome !== '')?.[0] ?? unit);
}
