// What every CLI command declares: its flags (for parsing and for --help) and what it does.
import type { ProgressReporter } from './progress';

export interface Flag {
  type: 'string' | 'boolean';
  /** Placeholder shown in help, e.g. IMG. */
  value?: string;
  description: string;
  required?: boolean;
  /** May be given several times: run() receives the values one per line. */
  multiple?: boolean;
}

export interface CliContext {
  out: (line: string) => void;
  progress: ProgressReporter;
  signal: AbortSignal;
}

export interface Command {
  summary: string;
  /** Extra lines after the flags in --help. */
  notes?: string[];
  /** A positional argument, e.g. IMG for `info IMG`. */
  positional?: { name: string; description: string; optional?: boolean };
  flags: Record<string, Flag>;
  run(flags: Record<string, string | boolean | undefined>, positionals: string[], context: CliContext): Promise<void>;
}
