// A deliberately simple engine for the service's tests: each voxel goes to the class whose mean
// labelled intensity is nearest. It lets the service be tested apart from the real engine.
import { cancelled } from '../../shared/errors';
import type { Region } from '../../shared/volume';
import type { LabelledVoxels } from '../labels';
import type { Volume } from '../volume/volume';
import type {
  RegionPrediction,
  RunOptions,
  SegmentationEngine,
  SegmentationTrainOptions,
  VolumeOutputs,
} from './segmentation-engine';

export interface MeanModel {
  classes: number[];
  means: number[];
}

export class NearestMeanEngine implements SegmentationEngine<MeanModel> {
  async train(volume: Volume, labels: LabelledVoxels, { signal }: SegmentationTrainOptions): Promise<MeanModel> {
    const sums = new Map<number, [number, number]>();
    const [, ny, nx] = volume.shape;
    for (let i = 0; i < labels.indices.length; i++) {
      if (signal.aborted) throw cancelled();
      const index = labels.indices[i]!;
      const z = Math.floor(index / (ny * nx)),
        y = Math.floor(index / nx) % ny,
        x = index % nx;
      const [value] = await volume.read({ start: [z, y, x], shape: [1, 1, 1] });
      const entry = sums.get(labels.classes[i]!) ?? [0, 0];
      entry[0] += value!;
      entry[1]++;
      sums.set(labels.classes[i]!, entry);
    }
    const classes = [...sums.keys()].sort((a, b) => a - b);
    return { classes, means: classes.map((c) => sums.get(c)![0] / sums.get(c)![1]) };
  }

  smoothsByDefault(): boolean {
    return false;
  }

  classesOf(model: MeanModel): number[] {
    return model.classes;
  }

  modelToBytes(model: MeanModel): Uint8Array {
    return new TextEncoder().encode(JSON.stringify(model));
  }

  modelFromBytes(bytes: Uint8Array): MeanModel {
    return JSON.parse(new TextDecoder().decode(bytes)) as MeanModel;
  }

  async predictRegion(model: MeanModel, volume: Volume, region: Region): Promise<RegionPrediction> {
    const data = await volume.read(region);
    const classes = new Uint8Array(data.length);
    const confidence = new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) {
      // Softmax over negative squared distances (scaled) as the class probabilities.
      const scores = model.means.map((m) => Math.exp(-(((data[i]! - m) / 20) ** 2)));
      const total = scores.reduce((a, b) => a + b, 0) || 1;
      let best = 0;
      for (let k = 1; k < scores.length; k++) if (scores[k]! > scores[best]!) best = k;
      classes[i] = model.classes[best]!;
      confidence[i] = scores[best]! / total;
    }
    return { classes, confidence };
  }

  async predictVolume(
    model: MeanModel,
    volume: Volume,
    outputs: VolumeOutputs,
    { signal, progress }: RunOptions,
  ): Promise<void> {
    const [nz, ny, nx] = volume.shape;
    for (let z = 0; z < nz; z++) {
      if (signal.aborted) throw cancelled();
      const region: Region = { start: [z, 0, 0], shape: [1, ny, nx] };
      const { classes } = await this.predictRegion(model, volume, region);
      await outputs.classes?.write(region, classes);
      progress(z + 1, nz);
    }
  }
}
