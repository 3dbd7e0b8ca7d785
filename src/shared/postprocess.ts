// Post-processing steps of a segmentation, each on one class: what the app, the API and the CLI
// (`--step fill-holes:2`) name, and how they read to a user.
import { z } from 'zod';

const classValue = z.number().int().min(1).max(255);
/** A morphology radius (voxels): beyond this, a ball's halo makes each block mostly halo. */
export const MAX_RADIUS = 10;

export const postprocessStep = z.discriminatedUnion('op', [
  /** Everything of other classes that the class encloses (6-connected, not reaching the volume's edge) becomes the class. */
  z.object({ op: z.literal('fill-holes'), classValue }),
  /** Objects (6-connected) of fewer than `minVoxels` voxels take the class that surrounds them most. */
  z.object({
    op: z.literal('remove-small'),
    classValue,
    minVoxels: z
      .number()
      .int()
      .min(2)
      .max(2 ** 40),
  }),
  /** Every object but the largest takes the class that surrounds it most. */
  z.object({ op: z.literal('keep-largest'), classValue }),
  /** Opening by a ball: parts thinner than 2·radius + 1 go to the nearest other class. */
  z.object({ op: z.literal('open'), classValue, radius: z.number().int().min(1).max(MAX_RADIUS) }),
  /** Closing by a ball: gaps thinner than 2·radius + 1 between parts of the class are filled. */
  z.object({ op: z.literal('close'), classValue, radius: z.number().int().min(1).max(MAX_RADIUS) }),
]);

export type PostprocessStep = z.infer<typeof postprocessStep>;
export type PostprocessOp = PostprocessStep['op'];

/** The step's number after the class (voxels or radius), for the ops that take one. */
export const STEP_PARAMETER: Partial<Record<PostprocessOp, 'minVoxels' | 'radius'>> = {
  'remove-small': 'minVoxels',
  open: 'radius',
  close: 'radius',
};

export const STEP_SYNTAX = 'fill-holes:K, remove-small:K:VOXELS, keep-largest:K, open:K:RADIUS or close:K:RADIUS';

/** Reads `op:class[:number]`, e.g. `remove-small:2:100`; a mistake throws a message naming it. */
export function parseStep(text: string): PostprocessStep {
  const [op, classText, number, ...rest] = text.trim().split(':');
  const parameter = STEP_PARAMETER[op as PostprocessOp];
  const parsed = postprocessStep.safeParse({
    op,
    classValue: Number(classText),
    ...(parameter ? { [parameter]: Number(number) } : {}),
  });
  if (!parsed.success || rest.length > 0 || (parameter === undefined) !== (number === undefined))
    throw new Error(
      `step "${text}" is not one of ${STEP_SYNTAX}` +
        (parsed.success ? '' : ` (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`),
    );
  return parsed.data;
}

/** The step as a user reads it, with the class's name. */
export function describeStep(step: PostprocessStep, className = `class ${step.classValue}`): string {
  switch (step.op) {
    case 'fill-holes':
      return `Fill holes in ${className}`;
    case 'remove-small':
      return `Remove ${className} objects below ${step.minVoxels} voxels`;
    case 'keep-largest':
      return `Keep the largest ${className} object`;
    case 'open':
      return `Open ${className} (radius ${step.radius})`;
    case 'close':
      return `Close ${className} (radius ${step.radius})`;
  }
}
