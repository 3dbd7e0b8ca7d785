// Entry of the built CLI (out/main/cli.js, run by bin/tomoseg.js): Ctrl-C cancels cleanly.
import { runCli } from './index';

const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
void runCli(process.argv.slice(2), process, controller.signal).then((code) => {
  process.exitCode = code;
});
