// The `tomoseg` command line: parses flags with node:util, dispatches to commands/<name>.ts,
// prints one line on failure and returns the exit code (0 ok, 1 failed, 2 usage, 130 cancelled).
// A new command is one line in COMMANDS.
import { parseArgs } from 'node:util';
import { TomosegError, serializeError } from '../../shared/errors';
import type { Command } from './command';
import { progressReporter } from './progress';

const COMMANDS: Record<string, () => Promise<{ command: Command }>> = {
  segment: () => import('./commands/segment'),
  train: () => import('./commands/train'),
  predict: () => import('./commands/predict'),
  info: () => import('./commands/info'),
  mesh: () => import('./commands/mesh'),
  measure: () => import('./commands/measure'),
  postprocess: () => import('./commands/postprocess'),
  refine: () => import('./commands/refine'),
  import: () => import('./commands/import'),
  cluster: () => import('./commands/cluster'),
};

export interface CliStreams {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

export async function runCli(
  argv: string[],
  streams: CliStreams = process,
  signal = new AbortController().signal,
): Promise<number> {
  const out = (line: string): void => void streams.stdout.write(`${line}\n`);
  const fail = (message: string, code: number): number => {
    streams.stderr.write(`tomoseg: ${message}\n`);
    return code;
  };
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out(await overview());
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) return fail(`unknown command '${name}' (try: tomoseg --help)`, 2);
  const { command } = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    out(help(name, command));
    return 0;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: Object.fromEntries(
        Object.entries(command.flags).map(([flag, spec]) => [
          flag,
          { type: spec.type, ...(spec.multiple ? { multiple: true } : {}) },
        ]),
      ),
      allowPositionals: command.positional !== undefined,
      strict: true,
    });
  } catch (error) {
    return fail(`${(error as Error).message.split('\n')[0]} (see tomoseg ${name} --help)`, 2);
  }
  const missing = Object.entries(command.flags).filter(
    ([flag, spec]) => spec.required && parsed.values[flag] === undefined,
  );
  if (missing.length > 0)
    return fail(`${name} needs --${missing.map(([f]) => f).join(', --')} (see tomoseg ${name} --help)`, 2);
  if (
    command.positional &&
    !command.positional.optional &&
    parsed.positionals.length === 0 &&
    !Object.values(parsed.values).some(Boolean)
  )
    return fail(`${name} needs ${command.positional.name} (see tomoseg ${name} --help)`, 2);
  const progress = progressReporter(streams.stderr);
  try {
    // A flag given several times (Flag.multiple) reaches the command as its values, one per line.
    const values = Object.fromEntries(
      Object.entries(parsed.values).map(([flag, value]) => [flag, Array.isArray(value) ? value.join('\n') : value]),
    );
    await command.run(values, parsed.positionals, { out, progress, signal });
    progress.finish();
    return 0;
  } catch (error) {
    progress.finish();
    const { kind, message } = serializeError(error);
    if (kind === 'cancelled' || signal.aborted) return fail('cancelled', 130);
    const hint =
      error instanceof TomosegError && kind === 'exists' && !message.includes('--force')
        ? ' (use --force to overwrite)'
        : '';
    return fail(`${kind === 'internal' ? 'internal error: ' : ''}${message.split('\n')[0]}${hint}`, 1);
  }
}

async function overview(): Promise<string> {
  const lines = [
    'Segment 3D tomograms with a shallow rotation-invariant network trained from sparse labels.',
    '',
    'Commands:',
  ];
  for (const [name, load] of Object.entries(COMMANDS))
    lines.push(`  ${name.padEnd(9)} ${(await load()).command.summary}`);
  lines.push('', 'tomoseg <command> --help shows the flags of a command.');
  return lines.join('\n');
}

function help(name: string, command: Command): string {
  const synopsis = Object.entries(command.flags)
    .map(([flag, spec]) => {
      const text = `--${flag}${spec.value ? ` ${spec.value}` : ''}`;
      return spec.required ? text : `[${text}]`;
    })
    .join(' ');
  const positional = command.positional
    ? ` ${command.positional.optional ? `[${command.positional.name}]` : command.positional.name}`
    : '';
  const lines = [`tomoseg ${name}${positional} ${synopsis}`, '', command.summary, ''];
  if (command.positional) lines.push(`  ${command.positional.name.padEnd(24)} ${command.positional.description}`);
  for (const [flag, spec] of Object.entries(command.flags))
    lines.push(`  ${`--${flag}${spec.value ? ` ${spec.value}` : ''}`.padEnd(24)} ${spec.description}`);
  lines.push(`  ${'--help'.padEnd(24)} show this help`);
  if (command.notes) lines.push('', ...command.notes);
  return lines.join('\n');
}
