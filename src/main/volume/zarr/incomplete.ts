// Outputs written in parts (`tomoseg predict --part i/N`, one SLURM task each) exist before they
// are complete: their metadata is written first, then each part's chunks. Until the last step
// marks them complete, their zarr.json files carry `attributes.tomoseg.incomplete`, and every
// opener refuses them, saying which parts are still missing, so a half-written segmentation is
// never shown or meshed as if it were whole. The parts' completion markers are files in a folder
// of the output: a part is done only when its marker exists (written after all its chunks).
import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileProblem } from '../errors';

/** Where a part output says it is incomplete: `attributes.tomoseg.incomplete` of its zarr.json files. */
export interface IncompleteMark {
  /** How many parts write it. */
  parts: number;
  /** The folder of part markers, relative to the output folder. */
  markers: string;
}

/** The marker file of part `part` (1-based) of `parts`, in the markers folder. */
export const partMarkerName = (part: number, parts: number): string => `part-${part}-of-${parts}.done`;

/** The mark in a Zarr node's attributes, where there is one. */
export function incompleteMark(attributes: unknown): IncompleteMark | undefined {
  const mark = (attributes as { tomoseg?: { incomplete?: IncompleteMark } } | undefined)?.tomoseg?.incomplete;
  if (!mark || !Number.isInteger(mark.parts) || mark.parts < 1 || typeof mark.markers !== 'string') return undefined;
  return mark;
}

/** The parts (1-based) of an output marked incomplete whose markers are not there yet. */
export async function missingParts(path: string, mark: IncompleteMark): Promise<number[]> {
  const folder = resolve(path, mark.markers);
  const present = await Promise.all(
    Array.from({ length: mark.parts }, (_, i) =>
      access(join(folder, partMarkerName(i + 1, mark.parts))).then(
        () => true,
        () => false,
      ),
    ),
  );
  return present.flatMap((done, i) => (done ? [] : [i + 1]));
}

/** Refuses to open an output whose attributes mark it incomplete, naming the missing parts. */
export async function refuseIncomplete(path: string, attributes: unknown): Promise<void> {
  const mark = incompleteMark(attributes);
  if (!mark) return;
  const missing = await missingParts(path, mark);
  const state =
    missing.length === 0
      ? `all ${mark.parts} parts are done but the last step (\`tomoseg cluster finish\`) has not run`
      : `part${missing.length > 1 ? 's' : ''} ${listParts(missing)} of ${mark.parts} ${missing.length > 1 ? 'are' : 'is'} not done`;
  throw fileProblem(path, `is incomplete: ${state} (\`tomoseg cluster status\` says more)`);
}

/** 1, 2, 3, 5 → "1-3, 5". */
export function listParts(parts: number[]): string {
  const ranges: string[] = [];
  for (let i = 0; i < parts.length;) {
    let j = i;
    while (j + 1 < parts.length && parts[j + 1] === parts[j]! + 1) j++;
    ranges.push(j > i ? `${parts[i]}-${parts[j]}` : String(parts[i]));
    i = j + 1;
  }
  return ranges.join(', ');
}
