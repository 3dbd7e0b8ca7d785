// Entry of the built CLI (out/main/cli.js, run by bin/tomoseg.js): Ctrl-C (SIGINT) and SIGTERM (a
// scheduler's time limit, `kill`) cancel cleanly, leaving no output; the exit code names the signal.
import { runCli } from './index';

const controller = new AbortController();
let stoppedBy: number | undefined;
for (const [name, number] of [
  ['SIGINT', 2],
  ['SIGTERM', 15],
] as const)
  process.once(name, () => {
    stoppedBy ??= number;
    controller.abort();
  });
void runCli(process.argv.slice(2), process, controller.signal).then((code) => {
  process.exitCode = code === 130 && stoppedBy ? 128 + stoppedBy : code;
});
