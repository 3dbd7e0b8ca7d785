// Runs the `tomoseg` command line in this process for a test, collecting what it prints.
import { runCli } from '../cli';

export async function cliOutput(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
  });
  return { code, out, err };
}
