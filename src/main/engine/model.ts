// The model file: everything needed to reproduce a prediction (architecture, weights, intensity
// normalisation, basis scales, class names, engine version, training settings), as JSON validated
// with zod. A file from another engine version or a damaged one is refused with a clear reason.
import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { TomosegError, badInput } from '../../shared/errors';
import { publish, refuseExisting, temporaryPath } from '../volume/output';
import { TEXTURE_CHANNELS } from './texture';

/** Bumped whenever the meaning of the weights changes (basis, invariants, head). */
export const ENGINE_VERSION = 2;

/** Version 1 pooled one texture energy per scale, not the structure tensor's eigenvalues: its models without texture mean the same. */
const SAME_WITHOUT_TEXTURE = 1;
export const MODEL_FORMAT = 'tomoseg-model';

const matrix = z.array(z.array(z.number()));
const vector = z.array(z.number());

export const modelSchema = z
  .object({
    format: z.literal(MODEL_FORMAT),
    engineVersion: z.number().int(),
    classes: z.array(z.object({ value: z.number().int().min(1).max(255), name: z.string() })).min(2),
    normalisation: z.object({ low: z.number(), high: z.number() }),
    basis: z.object({
      scales: z.array(z.number().positive()).min(1),
      /**
       * The voxel edges relative to the shortest that the scales are measured on (absent in older
       * files, whose filters took every voxel as a cube). A model with it follows the voxels of
       * each volume it predicts.
       */
      aspect: z.tuple([z.number().min(1), z.number().min(1), z.number().min(1)]).optional(),
      /** The fine scales whose gradient energy is pooled by each basis scale (texture.ts; absent: none). */
      texture: z.array(z.number().positive()).optional(),
    }),
    /**
     * Each class is chosen from the probabilities smoothed over 3×3×3 voxels (smoothPrediction),
     * as cross-validation on the labels found best (absent in older files: not smoothed).
     */
    smooth: z.boolean().optional(),
    architecture: z.object({
      vectors: z.number().int().min(0),
      tensors: z.number().int().min(0),
      hidden: z.number().int().min(1),
    }),
    weights: z.object({
      /** vectors × scales: one weight per gradient field */
      vectorMix: matrix,
      /** tensors × scales: one weight per Hessian field */
      tensorMix: matrix,
      /** fixed standardisation of the invariant features, set from the training voxels */
      shift: vector,
      scale: vector,
      w1: matrix,
      b1: vector,
      w2: matrix,
      b2: vector,
    }),
    training: z.object({
      seed: z.number().int(),
      iterations: z.number().int(),
      learningRate: z.number(),
      weightDecay: z.number(),
      /** the decay of the head's context-feature weights, a multiple of weightDecay (absent in older files: 1) */
      contextDecay: z.number().optional(),
      /** classes weighted equally in the loss (absent in older files, which all did) */
      balanceClasses: z.boolean().optional(),
      /** the output biases were corrected from the painted class fractions towards these estimates (halfway in files that record contextDecay, fully in older ones; absent: not corrected) */
      adaptPriors: z.boolean().optional(),
      priors: z.object({ painted: vector, estimated: vector }).optional(),
      labelledVoxels: z.array(z.number().int()),
      sampledVoxels: z.number().int(),
      finalLoss: z.number(),
      /** the fit to its own painted voxels: each class's recall on them, and the restarts it took (absent in older files) */
      check: z.object({ recall: vector, restarts: z.number().int() }).optional(),
      /** the sets of basis scales cross-validated on the labels (with each one's texture scales, absent in older files: none), and each one's mean held-out recall (absent: scales given), and the chosen one's with its prediction smoothed (absent in older files) */
      scaleChoice: z
        .object({
          candidates: matrix,
          scores: vector,
          texture: matrix.optional(),
          smoothedScore: z.number().optional(),
        })
        .optional(),
    }),
  })
  .superRefine((m, ctx) => {
    const s = m.basis.scales.length;
    const f = featureCount(s, m.architecture.vectors, m.architecture.tensors, m.basis.texture?.length);
    const { vectorMix, tensorMix, shift, scale, w1, b1, w2, b2 } = m.weights;
    const h = m.architecture.hidden;
    const k = m.classes.length;
    const sized = (name: string, ok: boolean): [string, boolean, string] => [name, ok, 'has the wrong size'];
    const all = [...vectorMix, ...tensorMix, shift, scale, ...w1, b1, ...w2, b2].flat();
    const values = m.classes.map((c) => c.value);
    // Sizes first: the value checks below assume them. Weights far outside what training gives,
    // or a standardisation that divides by ~0, would predict one class everywhere without a word.
    const checks: [string, boolean, string][] = [
      sized('vectorMix', vectorMix.length === m.architecture.vectors && vectorMix.every((r) => r.length === s)),
      sized('tensorMix', tensorMix.length === m.architecture.tensors && tensorMix.every((r) => r.length === s)),
      sized('shift/scale', shift.length === f && scale.length === f),
      sized('w1/b1', w1.length === h && w1.every((r) => r.length === f) && b1.length === h),
      sized('w2/b2', w2.length === k && w2.every((r) => r.length === h) && b2.length === k),
      ['scale', scale.every((v) => v >= MIN_FEATURE_SCALE), `has a value below ${MIN_FEATURE_SCALE}`],
      ['values', all.every((v) => Math.abs(v) <= MAX_WEIGHT), `include one beyond ±${MAX_WEIGHT}`],
    ];
    for (const [name, ok, problem] of checks)
      if (!ok) ctx.addIssue({ code: 'custom', message: `${name} ${problem}`, path: ['weights'] });
    if (!(m.normalisation.high > m.normalisation.low))
      ctx.addIssue({ code: 'custom', message: 'high must be above low', path: ['normalisation'] });
    if (new Set(values).size !== values.length)
      ctx.addIssue({ code: 'custom', message: `class values repeat (${values.join(', ')})`, path: ['classes'] });
  });

/** Training standardises by spread + 1e-6, so a smaller scale is damage. */
const MIN_FEATURE_SCALE = 1e-6;

/** Trained weights stay within a few hundred; far beyond this, logits overflow. */
const MAX_WEIGHT = 1e6;

export type Model = z.infer<typeof modelSchema>;

/**
 * Invariant features per voxel: per scale g and Laplacian, one norm per vector, 3 eigenvalues per
 * tensor, and per texture scale the pooled tensor's TEXTURE_CHANNELS eigenvalues per scale.
 */
export const featureCount = (scales: number, vectors: number, tensors: number, textures = 0): number =>
  (2 + TEXTURE_CHANNELS * textures) * scales + vectors + 3 * tensors;

/** Validates a parsed model object; `source` names it in errors. */
export function parseModel(data: unknown, source: string): Model {
  const version = (data as { engineVersion?: unknown } | null)?.engineVersion;
  if ((data as { format?: unknown } | null)?.format !== MODEL_FORMAT)
    throw badInput(`${source} is not a Tomoseg model file`);
  if (typeof version !== 'number') throw badInput(`${source} is a damaged model file: engineVersion is not a number`);
  const textured = (data as { basis?: { texture?: unknown } }).basis?.texture !== undefined;
  if (version !== ENGINE_VERSION && !(version === SAME_WITHOUT_TEXTURE && !textured))
    throw new TomosegError(
      'unsupported',
      `${source} was made by engine version ${String(version)}; this Tomoseg runs engine version ${ENGINE_VERSION}: retrain the model`,
    );
  const parsed = modelSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw badInput(`${source} is a damaged model file: ${issue.path.join('.') || 'root'}: ${issue.message}`);
  }
  return parsed.data;
}

export async function loadModel(path: string): Promise<Model> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT')
      throw new TomosegError('not-found', `model file ${path} does not exist`);
    throw error;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw badInput(`${path} is a damaged model file: not valid JSON`);
  }
  // Files carry a checksum of the rest (older ones none): a flipped digit in a weight is still a
  // valid model, and would predict something else without a word.
  if (data !== null && typeof data === 'object' && 'checksum' in data) {
    const { checksum, ...content } = data as { checksum: unknown };
    if (checksum !== checksumOf(content))
      throw badInput(`${path} is a damaged model file: its content does not match its checksum`);
    data = content;
  }
  return parseModel(data, path);
}

/** SHA-256 of the JSON text of `content`, the model as written without its checksum. */
const checksumOf = (content: unknown): string => createHash('sha256').update(JSON.stringify(content)).digest('hex');

/** Writes the model beside `path` under a temporary name and renames it into place when complete. */
export async function saveModel(model: Model, path: string, force = false): Promise<void> {
  await refuseExisting(path, force);
  const temp = temporaryPath(path);
  try {
    await writeFile(temp, `${JSON.stringify({ ...model, checksum: checksumOf(model) })}\n`);
    await publish(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
