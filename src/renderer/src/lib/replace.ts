// An output that exists is refused by the main side (error kind `exists`) unless the call says
// `overwrite`: the user is asked first, and the call made again only if they agree.
import { TomosegError } from '../../../shared/errors';

/** The user chose not to replace an existing output: nothing to report. */
export class Declined extends Error {
  constructor() {
    super('not replaced');
  }
}

/**
 * Runs `write(false)`; where its output exists, asks whether to replace it and, if so, runs
 * `write(true)`. Throws Declined where the user says no.
 */
export async function replaceIfAsked<T>(
  write: (overwrite: boolean) => Promise<T>,
  ask: (question: string) => boolean = (question) => window.confirm(question),
): Promise<T> {
  try {
    return await write(false);
  } catch (error) {
    if (!(error instanceof TomosegError) || error.kind !== 'exists') throw error;
    const what = error.message.replace(/ \(choose another name or overwrite\)$/, '');
    if (!ask(`${what}.\n\nReplace it?`)) throw new Declined();
    return write(true);
  }
}
