// Which training of a volume runs, waits or is cancelled. One runs at a time. A new request waits
// for the one running, and cancels the one already waiting (its labels are older than the new
// request's) and a preview running now (a quick model nobody needs once newer labels come); a full
// training running is waited for, never lost. So live retraining after every stroke ends with a
// model of the newest labels, as soon as the trainings before it let it start.
import { cancelled } from '../../shared/errors';
import type { JobContext, Jobs } from './jobs';

export class TrainingQueue {
  /** Settles when the newest training ends: the next one waits for it. */
  private last?: Promise<void>;
  /** The training waiting for the one before it. */
  private waiting?: string;
  /** The preview training running now. */
  private preview?: { id: string };

  constructor(
    private readonly jobs: Jobs,
    private readonly volumeId: string,
  ) {}

  /** Queues `train` as a job of this volume; `preview` marks a quick one that a newer request stops. */
  add<T>(preview: boolean, train: (context: JobContext) => Promise<T>): { id: string; result: Promise<T> } {
    if (this.waiting) this.jobs.cancel(this.waiting);
    if (this.preview) this.jobs.cancel(this.preview.id);
    const before = this.last;
    let finished = (): void => undefined;
    const settled = new Promise<void>((resolve) => (finished = resolve));
    this.last = settled;
    const self = { id: '' }; // the job's id, known once it started
    const job = this.jobs.start(
      'train',
      async (context) => {
        try {
          if (before) {
            context.progress(0, 1, 'waiting for the running training');
            await before;
            if (this.waiting === self.id) this.waiting = undefined;
            if (context.signal.aborted) throw cancelled('training replaced by a newer request');
          }
          if (preview) this.preview = self;
          return await train(context);
        } finally {
          if (this.preview === self) this.preview = undefined;
          if (this.last === settled) this.last = undefined;
          finished();
        }
      },
      this.volumeId,
    );
    self.id = job.id;
    if (before) this.waiting = job.id;
    return job;
  }
}
