#!/usr/bin/env node
// The first step of `npm test` (and of `.ci/run`): the system tools the tests use, checked and,
// where this script can, installed in one step.
//
//   node scripts/setup-tests.mjs           installs what is missing on Debian/Ubuntu as root, or with
//                                          sudo when you agree (TOMOSEG_SETUP_SUDO=1, or a y at the
//                                          prompt, asked only on a terminal); elsewhere prints the
//                                          commands for this platform and exits 1 before any test runs
//   node scripts/setup-tests.mjs --check   only reports: exit 0 when nothing is missing, 1 otherwise
//
// What the tests use:
//   Chromium     the e2e tests (playwright.config.ts): CHROMIUM_PATH, else Debian's /usr/bin/chromium.
//                Headless, so no X server (xvfb) is needed.
//   Python 3     the independent readers and writers of the unit tests (src/main/volume/testing/python.ts)
//                and the reference pipeline of `npm run bench engine`: TOMOSEG_PYTHON, else
//                Debian's /usr/bin/python3, with the modules in PYTHON_MODULES.
//   SLURM        on Linux, the single-node cluster of src/main/cluster/slurm.test.ts: Debian's
//                slurm-wlm and munge (SLURM_PROGRAMS); the test starts the daemons itself.
// Plain Node, no dependencies: it runs before `npm install` has to have worked.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { pathToFileURL } from 'node:url';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';
export const DEFAULT_PYTHON = '/usr/bin/python3';

/** The Python modules, the Debian package and the pip requirement of each, and what needs it. */
export const PYTHON_MODULES = [
  { module: 'numpy', debian: 'python3-numpy', pip: 'numpy', usedBy: 'unit tests: independent readers' },
  { module: 'tifffile', debian: 'python3-tifffile', pip: 'tifffile', usedBy: 'unit tests: independent TIFF reader' },
  // Debian 12's zarr is 2.x; the tests write Zarr v2 with its API.
  { module: 'zarr', debian: 'python3-zarr', pip: 'zarr<3', usedBy: 'unit tests: independent Zarr reader/writer' },
  { module: 'numcodecs', debian: 'python3-numcodecs', pip: 'numcodecs', usedBy: 'unit tests: Zarr codecs' },
  { module: 'PIL', debian: 'python3-pil', pip: 'pillow', usedBy: 'unit tests: LZW TIFFs' },
  { module: 'h5py', debian: 'python3-h5py', pip: 'h5py', usedBy: 'unit tests: independent HDF5 / NeXus writer' },
  { module: 'scipy', debian: 'python3-scipy', pip: 'scipy', usedBy: 'npm run bench engine: reference' },
  { module: 'sklearn', debian: 'python3-sklearn', pip: 'scikit-learn', usedBy: 'npm run bench engine: reference' },
  { module: 'skimage', debian: 'python3-skimage', pip: 'scikit-image', usedBy: 'scripts/real-scans: test data' },
];

/** Programs of the SLURM test cluster (Linux only), the Debian package of each, and what needs it. */
export const SLURM_PROGRAMS = [
  {
    name: 'slurmctld',
    path: '/usr/sbin/slurmctld',
    debian: 'slurm-wlm',
    usedBy: 'unit tests: a real SLURM cluster (controller, node daemon, sbatch)',
  },
  { name: 'munged', path: '/usr/sbin/munged', debian: 'munge', usedBy: 'unit tests: SLURM authentication' },
];

/**
 * Everything the tests use, as checks: `{ name, path, custom, debian, usedBy }` plus `module` for
 * Python modules (`path` is then the python). `custom`: the path came from the environment, so
 * installing the Debian package would not put anything there.
 */
export function requirements(env = process.env, platform = process.platform) {
  const chromium = env.CHROMIUM_PATH || DEFAULT_CHROMIUM;
  const python = env.TOMOSEG_PYTHON || DEFAULT_PYTHON;
  return [
    {
      name: 'chromium',
      path: chromium,
      custom: Boolean(env.CHROMIUM_PATH),
      debian: 'chromium',
      usedBy: 'e2e tests',
    },
    ...PYTHON_MODULES.map((m) => ({
      name: `python3 ${m.module}`,
      path: python,
      custom: Boolean(env.TOMOSEG_PYTHON),
      ...m,
    })),
    ...(platform === 'linux' ? SLURM_PROGRAMS.map((p) => ({ ...p, custom: false })) : []),
  ];
}

function isExecutableFile(path) {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The real probes: an executable file at a path; the modules a python cannot import (all of them when it does not run). */
export const systemProbes = {
  executable: isExecutableFile,
  missingModules(python, modules) {
    // A folder left behind by a removed package imports as an empty namespace package (no __file__).
    const script = [
      'import json, sys',
      'missing = []',
      'for m in sys.argv[1:]:',
      '    try:',
      "        if getattr(__import__(m), '__file__', None) is None: missing.append(m)",
      '    except Exception: missing.append(m)',
      'print(json.dumps(missing))',
    ].join('\n');
    const run = spawnSync(python, ['-c', script, ...modules], { encoding: 'utf8', timeout: 120_000 });
    if (run.status !== 0) return [...modules];
    try {
      return JSON.parse(run.stdout.trim().split('\n').at(-1));
    } catch {
      return [...modules];
    }
  },
};

/** The requirements that are not met, probing each executable once and each python once. */
export function findMissing(reqs, probes = systemProbes) {
  const modulesByPython = new Map();
  for (const r of reqs) if (r.module) modulesByPython.set(r.path, [...(modulesByPython.get(r.path) ?? []), r.module]);
  const missingByPython = new Map(
    [...modulesByPython].map(([python, modules]) => [python, new Set(probes.missingModules(python, modules))]),
  );
  return reqs.filter((r) => (r.module ? missingByPython.get(r.path).has(r.module) : !probes.executable(r.path)));
}

/** `debian`, `ubuntu` (and their derivatives), or null, from the text of /etc/os-release. */
export function aptFamily(osRelease) {
  if (!osRelease) return null;
  const field = (key) => (new RegExp(`^${key}=(.*)$`, 'm').exec(osRelease)?.[1] ?? '').replace(/["']/g, '');
  const ids = [field('ID'), ...field('ID_LIKE').split(/\s+/)];
  if (ids.includes('ubuntu')) return 'ubuntu';
  if (ids.includes('debian')) return 'debian';
  return null;
}

const quote = (s) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * What to do about `missing` here. `context`: { platform, osRelease, uid, hasCommand(name), env, interactive }.
 * Returns { install, manual }: `install` is null or { packages, sudo: 'no' | 'yes' | 'ask', commands }
 * (argv lists, run in order); `manual` lists the lines to print for what `install` does not cover
 * (for everything, when the user declines sudo: `declined`).
 */
export function plan(missing, context) {
  const { platform, osRelease, uid, hasCommand, env = {}, interactive = false } = context;
  const family = platform === 'linux' && hasCommand('apt-get') ? aptFamily(osRelease) : null;
  // Ubuntu has Chromium only as a snap, whose confinement keeps it from the profile folders the
  // e2e tests give it: a custom path (CHROMIUM_PATH) or Debian's package only.
  const fromApt = (r) => family !== null && !r.custom && !(family === 'ubuntu' && r.name === 'chromium');
  const apt = missing.filter(fromApt);
  const rest = missing.filter((r) => !fromApt(r));
  const packages = [...new Set(apt.map((r) => r.debian))];
  const aptCommands = (sudo) => [
    [...sudo, 'apt-get', 'update', '-qq'],
    [...sudo, 'apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...packages],
  ];
  const aptLines = hasCommand('sudo')
    ? [
        `sudo apt-get update && sudo apt-get install -y --no-install-recommends ${packages.join(' ')}`,
        '  (or let this script do it: TOMOSEG_SETUP_SUDO=1 npm test)',
      ]
    : [`as root: apt-get update && apt-get install -y --no-install-recommends ${packages.join(' ')}`];
  const restLines = manualLines(rest, platform, family);
  if (packages.length === 0) return { install: null, manual: restLines };
  let install = null;
  if (uid === 0) install = { packages, sudo: 'no', commands: aptCommands([]) };
  else if (hasCommand('sudo') && env.TOMOSEG_SETUP_SUDO !== '0') {
    // Agreed in the environment: sudo -n, which fails rather than waits for a password nobody can type.
    if (env.TOMOSEG_SETUP_SUDO === '1')
      install = { packages, sudo: 'yes', commands: aptCommands(interactive ? ['sudo'] : ['sudo', '-n']) };
    else if (interactive) install = { packages, sudo: 'ask', commands: aptCommands(['sudo']) };
  }
  if (!install) return { install: null, manual: [...aptLines, ...restLines] };
  return { install, manual: restLines, declined: [...aptLines, ...restLines] };
}

/** The commands a person runs for `missing` on this platform (nothing this script can install itself). */
export function manualLines(missing, platform, family) {
  if (missing.length === 0) return [];
  const lines = [];
  const chromium = missing.find((r) => r.name === 'chromium');
  const modules = missing.filter((r) => r.module);
  const pipArgs = modules.map((r) => quote(r.pip)).join(' ');
  if (chromium?.custom) {
    lines.push(`CHROMIUM_PATH=${chromium.path} is not an executable file: point it at a Chromium or Chrome binary.`);
  } else if (chromium) {
    if (family === 'ubuntu')
      lines.push(
        "Ubuntu's Chromium is a snap, which Playwright cannot drive; install Google Chrome and point the tests at it:",
        '  wget https://dl.google.com/linux/direct/google-chrome-stable_current_amd64.deb',
        '  sudo apt-get install -y ./google-chrome-stable_current_amd64.deb',
        '  export CHROMIUM_PATH=/usr/bin/google-chrome',
      );
    else if (platform === 'darwin')
      lines.push(
        'Chromium for the e2e tests: Google Chrome, then',
        '  brew install --cask google-chrome',
        '  export CHROMIUM_PATH="/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"',
      );
    else if (platform === 'win32')
      lines.push(
        'Chromium for the e2e tests (PowerShell):',
        '  winget install Google.Chrome',
        '  $env:CHROMIUM_PATH = "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe"',
      );
    else lines.push(`Chromium for the e2e tests: install it at ${chromium.path}, or set CHROMIUM_PATH to its binary.`);
  }
  const slurm = missing.filter((r) => SLURM_PROGRAMS.some((p) => p.name === r.name));
  if (slurm.length > 0)
    lines.push(
      `SLURM for the cluster test: ${slurm.map((r) => r.path).join(', ')} from your distribution's packages (Debian: ${slurm.map((r) => r.debian).join(' ')})`,
    );
  if (modules.length > 0) {
    const python = modules[0].path;
    if (modules[0].custom) lines.push(`Python modules: ${quote(python)} -m pip install ${pipArgs}`);
    else if (platform === 'darwin') lines.push(`Python modules: ${python} -m pip install --user ${pipArgs}`);
    else if (platform === 'win32')
      lines.push(
        'Python modules (PowerShell):',
        '  winget install Python.Python.3.12',
        `  py -m pip install --user ${pipArgs}`,
        '  $env:TOMOSEG_PYTHON = (py -c "import sys; print(sys.executable)")',
      );
    else
      lines.push(
        `Python modules: a python3 with them (for example a venv), and TOMOSEG_PYTHON pointing at it:`,
        `  python3 -m venv ~/.tomoseg-python && ~/.tomoseg-python/bin/pip install ${pipArgs}`,
        '  export TOMOSEG_PYTHON=~/.tomoseg-python/bin/python',
      );
  }
  return lines;
}

/** One line per requirement: present or missing, with what it is for. */
export function report(reqs, missing) {
  const width = (key) => Math.max(...reqs.map((r) => r[key].length));
  return reqs.map((r) => {
    const state = missing.includes(r) ? 'missing' : 'ok';
    return `  ${state.padEnd(7)}  ${r.name.padEnd(width('name'))}  ${r.path.padEnd(width('path'))}  ${r.usedBy}`;
  });
}

function hasCommand(name, env = process.env) {
  return (env.PATH ?? '').split(delimiter).some((dir) => dir && isExecutableFile(join(dir, name)));
}

function readOsRelease() {
  try {
    return readFileSync('/etc/os-release', 'utf8');
  } catch {
    return null;
  }
}

async function agree(question) {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export async function main(argv = process.argv.slice(2), env = process.env) {
  const checkOnly = argv.includes('--check');
  const log = (...lines) => console.log(lines.join('\n'));
  const reqs = requirements(env);
  let missing = findMissing(reqs);
  log('setup-tests: what the tests use', ...report(reqs, missing));
  if (missing.length === 0) {
    log('setup-tests: nothing missing');
    return 0;
  }
  const context = {
    platform: process.platform,
    osRelease: readOsRelease(),
    uid: process.getuid?.(),
    hasCommand: (name) => hasCommand(name, env),
    env,
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
  };
  const { install, manual, declined } = plan(missing, context);
  if (checkOnly) {
    log(`setup-tests: ${missing.length} missing; \`node scripts/setup-tests.mjs\` installs them or says how:`);
    if (install) log(...install.commands.map((c) => `  ${c.join(' ')}`));
    if (manual.length > 0) log(...manual.map((l) => `  ${l}`));
    return 1;
  }
  let lines = manual;
  if (install) {
    const go =
      install.sudo !== 'ask' ||
      (await agree(`setup-tests: install ${install.packages.join(' ')} with sudo apt-get? [y/N] `));
    if (go) {
      log(`setup-tests: installing ${install.packages.join(' ')}`);
      for (const [command, ...args] of install.commands) {
        log(`  ${[command, ...args].join(' ')}`);
        const run = spawnSync(command, args, {
          stdio: 'inherit',
          env: { ...env, DEBIAN_FRONTEND: 'noninteractive' },
        });
        if (run.status !== 0) {
          log(
            `setup-tests: \`${[command, ...args].join(' ')}\` failed (exit ${run.status ?? run.signal}); install it with:`,
            ...declined.map((l) => `  ${l}`),
          );
          return 1;
        }
      }
      missing = findMissing(reqs);
      log('setup-tests: after installing', ...report(reqs, missing));
      if (missing.length === 0) {
        log('setup-tests: nothing missing');
        return 0;
      }
    } else lines = declined;
  }
  log('setup-tests: the tests need what is missing above; install it with:', ...lines.map((l) => `  ${l}`));
  if (missing.length > 0 && lines.length === 0)
    log('  (the packages were installed but the check still fails: see the report above)');
  return 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main();
