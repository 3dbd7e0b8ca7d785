// Types of scripts/setup-tests.mjs (plain Node, so that it runs before anything is installed).

export interface Requirement {
  name: string;
  /** The executable, or for a Python module the python that must import it. */
  path: string;
  /** The path came from the environment (CHROMIUM_PATH, TOMOSEG_PYTHON): no package puts anything there. */
  custom: boolean;
  debian: string;
  usedBy: string;
  module?: string;
  pip?: string;
}

export interface Probes {
  executable(path: string): boolean;
  missingModules(python: string, modules: string[]): string[];
}

export interface Context {
  platform: NodeJS.Platform;
  osRelease: string | null;
  uid: number | undefined;
  hasCommand(name: string): boolean;
  env?: Record<string, string | undefined>;
  interactive?: boolean;
}

export interface Plan {
  install: { packages: string[]; sudo: 'no' | 'yes' | 'ask'; commands: string[][] } | null;
  manual: string[];
  declined?: string[];
}

export const DEFAULT_CHROMIUM: string;
export const DEFAULT_PYTHON: string;
export const PYTHON_MODULES: { module: string; debian: string; pip: string; usedBy: string }[];
export const systemProbes: Probes;
export const SLURM_PROGRAMS: { name: string; path: string; debian: string; usedBy: string }[];
export function requirements(env?: Record<string, string | undefined>, platform?: NodeJS.Platform): Requirement[];
export function findMissing(reqs: Requirement[], probes?: Probes): Requirement[];
export function aptFamily(osRelease: string | null): 'debian' | 'ubuntu' | null;
export function plan(missing: Requirement[], context: Context): Plan;
export function manualLines(
  missing: Requirement[],
  platform: NodeJS.Platform,
  family: 'debian' | 'ubuntu' | null,
): string[];
export function report(reqs: Requirement[], missing: Requirement[]): string[];
export function main(argv?: string[], env?: Record<string, string | undefined>): Promise<number>;
