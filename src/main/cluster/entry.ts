// How to run this same Tomoseg again from a batch job: the node binary running now, the module
// loaders it was started with (tsx, when running from the TypeScript sources) resolved to absolute
// paths, and the CLI's entry file. A job starts in another folder, on another node, without the
// login shell's PATH: nothing in the command may depend on them.
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Entry files of the CLI: bin/tomoseg.js, the built out/main/cli.js, or src/main/cli/main.ts. */
const ENTRIES = /(^|[/\\])(bin[/\\]tomoseg(\.js)?|out[/\\]main[/\\]cli\.js|src[/\\]main[/\\]cli[/\\]main\.ts)$/;

/** Node options that load code, kept (with their module resolved) so the job runs the same code. */
const LOADERS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader']);

/**
 * The command (argv) that runs this Tomoseg's CLI: `process.execPath`, its loader options, and the
 * entry script this process was started with, or, where it was started otherwise (an embedding
 * program), the CLI built next to this code.
 */
export function tomosegCommand(
  argv: readonly string[] = process.argv,
  execArgv: readonly string[] = process.execArgv,
  cwd = process.cwd(),
): string[] {
  const started = argv[1] && realpath(resolve(cwd, argv[1]));
  const script = started && ENTRIES.test(started) ? started : builtCli();
  return [process.execPath, ...loaderOptions(execArgv, cwd), script];
}

function loaderOptions(execArgv: readonly string[], cwd: string): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    if (!LOADERS.has(flag)) continue;
    const value = inline ?? execArgv[++i];
    if (value === undefined) break;
    kept.push(flag, absoluteModule(value, cwd, flag === '--require' || flag === '-r'));
  }
  return kept;
}

/** A module specifier as an absolute path (for --require) or file URL, resolved from `cwd`. */
function absoluteModule(specifier: string, cwd: string, forRequire: boolean): string {
  if (/^(file|data|node):/.test(specifier)) return specifier;
  let path: string;
  try {
    path =
      specifier.startsWith('.') || specifier.startsWith('/')
        ? resolve(cwd, specifier)
        : createRequire(join(cwd, 'noop.js')).resolve(specifier);
  } catch {
    return specifier;
  }
  return forRequire ? path : pathToFileURL(path).href;
}

/** out/main/cli.js beside this code once built (this module is bundled into out/main). */
function builtCli(): string {
  const here = fileURLToPath(import.meta.url);
  return basename(here).endsWith('.ts') ? resolve(here, '../../cli/main.ts') : resolve(here, '..', 'cli.js');
}

function realpath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
