// "Run on cluster…" on the main side: the submit command names the open volume, its preview is
// the CLI's --dry-run, the current model is written as a model file (a preview one refused), and an
// output prepared for parts but not done is reported with the volume layer's refusal.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VolumeInfo } from '../../shared/volume';
import { phantomAndModel } from '../cluster/cluster.test-helper';
import { prepareOutputs } from '../cluster/prepare';
import { loadModel } from '../engine';
import { openVolume } from '../volume';
import { tempDir } from '../volume/testing/data';
import type { Volume } from '../volume/volume';
import { ClusterService } from './cluster-service';
import type { TrainedModel } from './segmentation-sessions';

const dir = tempDir();
const image = join(dir, 'scan.tif');
const modelFile = join(dir, 'model.json');
let volume: Volume;

beforeAll(async () => {
  await phantomAndModel([16, 32, 128], image, modelFile);
  volume = await openVolume(image);
});
afterAll(async () => {
  await volume.close();
  rmSync(dir, { recursive: true, force: true });
});

function service(model?: Partial<TrainedModel>): ClusterService {
  return new ClusterService({
    volumes: {
      info: () => ({ path: image }) as VolumeInfo,
      get: () => volume,
    },
    modelOf: () => model as TrainedModel | undefined,
  });
}

describe('ClusterService', () => {
  it('gives the submit command for the open volume and its dry-run scripts', async () => {
    const out = join(dir, 'seg.zarr');
    const { command, script } = await service().command({
      volumeId: 'v',
      model: modelFile,
      out,
      tasks: 3,
      partition: 'main',
      time: '1:00:00',
    });
    expect(command).toBe(
      `npx tomoseg cluster submit --image ${image} --model ${modelFile} --out ${out} --tasks 3 --partition main --time 1:00:00`,
    );
    expect(script).toContain('#SBATCH --array=1-3');
    expect(script).toContain('#SBATCH --partition=main');
    expect(script).toContain(`--image ${image}`);
    expect(script).toContain('cluster finish');
  });

  it('writes the current full model as a model file and refuses a preview or none', async () => {
    const model = await loadModel(modelFile);
    const path = join(dir, 'exported.json');
    await service({ model, preview: false }).exportModel('v', path, false);
    expect(await loadModel(path)).toEqual(model);
    await expect(service({ model, preview: false }).exportModel('v', path, false)).rejects.toThrow(/exists/);
    await expect(service({ model, preview: true }).exportModel('v', join(dir, 'p.json'), false)).rejects.toThrow(
      /preview/,
    );
    await expect(service().exportModel('v', join(dir, 'n.json'), false)).rejects.toThrow(/no model yet/);
  });

  it('says a result is absent, then which parts are missing', async () => {
    const out = join(dir, 'parts.zarr');
    expect((await service().result(out)).state).toBe('absent');
    await prepareOutputs(
      await loadModel(modelFile),
      volume,
      { out },
      { parts: 2, imagePath: image, modelPath: modelFile, smooth: false, force: false },
    );
    const result = await service().result(out);
    expect(result.state).toBe('incomplete');
    expect(result.message).toMatch(/parts\.zarr.*incomplete: parts 1-2 of 2 are not done/);
  });
});
