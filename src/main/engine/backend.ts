// Which compute backends are available. The CPU kernels in this folder always are; the tfjs paths
// use @tensorflow/tfjs-node-gpu when it loads (an optional dependency that only installs where a
// CUDA stack and Google's storage are reachable), else nothing beyond the CPU kernels is used,
// because tfjs's pure-JS backend is slower than our own kernels.
export interface BackendReport {
  /** Backends and whether they load here, with the reason when they do not. */
  available: { name: string; loads: boolean; note: string }[];
  /** What prediction uses. */
  used: string;
}

async function tryImport(name: string): Promise<string | undefined> {
  try {
    await import(/* @vite-ignore */ name);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message.split('\n')[0]! : String(error);
  }
}

export async function backends(): Promise<BackendReport> {
  const gpuProblem = await tryImport('@tensorflow/tfjs-node-gpu'); // what predictVolume's loadGpuTf tries
  const tfjsProblem = await tryImport('@tensorflow/tfjs');
  return {
    available: [
      { name: 'cpu', loads: true, note: 'TypeScript kernels on typed arrays, worker threads' },
      {
        name: 'tfjs-node-gpu',
        loads: gpuProblem === undefined,
        note: gpuProblem === undefined ? 'CUDA through TensorFlow' : `not installed or not loadable: ${gpuProblem}`,
      },
      {
        name: 'tfjs-cpu',
        loads: tfjsProblem === undefined,
        note:
          tfjsProblem === undefined
            ? 'pure JavaScript; used only to check the tfjs path'
            : `not loadable: ${tfjsProblem}`,
      },
    ],
    used: gpuProblem === undefined ? 'tfjs-node-gpu' : 'cpu',
  };
}
