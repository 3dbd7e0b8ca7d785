// The set-up step of `npm test` (scripts/setup-tests.mjs): on this machine it finds nothing missing
// (CI installs everything before the unit tests run); its decisions are checked on made-up machines.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type Context,
  type Requirement,
  DEFAULT_CHROMIUM,
  PYTHON_MODULES,
  SLURM_PROGRAMS,
  aptFamily,
  findMissing,
  plan,
  requirements,
} from '../scripts/setup-tests.mjs';
import { TEST_PYTHON_MODULES } from '../src/main/volume/testing/python';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');
const SCRIPT = join(root, 'scripts', 'setup-tests.mjs');
const dir = mkdtempSync(join(tmpdir(), 'tomoseg-setup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the script; resolves to its exit code and output (it exits 1 when something is missing). */
async function setup(args: string[], env: Record<string, string | undefined> = {}): Promise<[number, string]> {
  try {
    const { stdout } = await run(process.execPath, [SCRIPT, ...args], {
      env: { ...process.env, CHROMIUM_PATH: undefined, TOMOSEG_PYTHON: undefined, ...env },
    });
    return [0, stdout];
  } catch (error) {
    const { code, stdout } = error as { code: number; stdout: string };
    return [code, stdout];
  }
}

const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n';
const UBUNTU = 'NAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\nID_LIKE=debian\n';
const MINT = 'NAME="Linux Mint"\nID=linuxmint\nID_LIKE="ubuntu debian"\n';
const FEDORA = 'NAME="Fedora Linux"\nID=fedora\n';

/** A machine: which commands exist, who runs, the rest as on a plain Debian box. */
function machine(overrides: Partial<Context> & { commands?: string[] } = {}): Context {
  const commands = overrides.commands ?? ['apt-get', 'sudo'];
  return {
    platform: 'linux',
    osRelease: DEBIAN,
    uid: 1000,
    hasCommand: (name) => commands.includes(name),
    env: {},
    interactive: false,
    ...overrides,
  };
}

/** The requirements with chromium and these modules missing (default paths unless `env` says otherwise). */
function missingOf(names: string[], env: Record<string, string> = {}): Requirement[] {
  return requirements(env).filter((r) => names.includes(r.module ?? r.name));
}

describe('setup-tests --check on this machine', () => {
  it('finds everything the tests use, and says so with exit 0', async () => {
    const [code, out] = await setup(['--check']);
    expect(out).toContain('setup-tests: nothing missing');
    expect(out).not.toMatch(/^\s*missing\s/m);
    for (const r of requirements({})) expect(out).toMatch(new RegExp(`^\\s*ok\\s+${r.name}\\s`, 'm'));
    expect(code).toBe(0);
  });

  it('reports a module that does not import, with exit 1, and changes nothing', async () => {
    // A zarr that fails to import, ahead of the real one on the python's path.
    const shadow = join(dir, 'shadow');
    mkdirSync(shadow, { recursive: true });
    writeFileSync(join(shadow, 'zarr.py'), "raise ImportError('not here')\n");
    const [code, out] = await setup(['--check'], { PYTHONPATH: shadow, CHROMIUM_PATH: join(dir, 'no-chromium') });
    expect(code).toBe(1);
    expect(out).toMatch(/^\s*missing\s+python3 zarr\s/m);
    expect(out).toMatch(/^\s*missing\s+chromium\s/m);
    expect(out).toMatch(/^\s*ok\s+python3 numpy\s/m);
    expect(out).toMatch(/^\s*ok\s+python3 tifffile\s/m);
    expect(out).not.toContain('installing');
    expect(out).toContain(`CHROMIUM_PATH=${join(dir, 'no-chromium')} is not an executable file`);
  });

  it('reports every module missing where the python does not run', async () => {
    const [code, out] = await setup(['--check'], { TOMOSEG_PYTHON: join(dir, 'no-python') });
    expect(code).toBe(1);
    for (const m of PYTHON_MODULES) expect(out).toMatch(new RegExp(`^\\s*missing\\s+python3 ${m.module}\\s`, 'm'));
    expect(out).toMatch(/^\s*ok\s+chromium\s/m);
    expect(out).toContain(`${join(dir, 'no-python')} -m pip install numpy tifffile 'zarr<3'`);
  });
});

describe('what setup-tests checks', () => {
  it('covers every module the unit tests import, and the Chromium the e2e tests launch', () => {
    const modules = PYTHON_MODULES.map((m) => m.module);
    for (const m of TEST_PYTHON_MODULES) expect(modules).toContain(m);
    const config = readFileSync(join(root, 'playwright.config.ts'), 'utf8');
    expect(config).toContain(`process.env.CHROMIUM_PATH ?? '${DEFAULT_CHROMIUM}'`);
  });

  it('runs first in npm test', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.test!.split('&&')[0]!.trim()).toMatch(/^(node scripts\/setup-tests\.mjs|npm run test:setup)$/);
    expect(pkg.scripts['test:setup']).toBe('node scripts/setup-tests.mjs');
  });

  it('asks each python once for all its modules, and checks each executable', () => {
    const calls: [string, string[]][] = [];
    const probes = {
      executable: (path: string) => path === '/opt/chrome' || SLURM_PROGRAMS.some((p) => p.path === path),
      missingModules: (python: string, modules: string[]) => (
        calls.push([python, modules]),
        modules.filter((m) => m === 'PIL' || m === 'sklearn')
      ),
    };
    const reqs = requirements({ CHROMIUM_PATH: '/opt/chrome', TOMOSEG_PYTHON: '/opt/py' });
    expect(findMissing(reqs, probes).map((r) => r.name)).toEqual(['python3 PIL', 'python3 sklearn']);
    expect(calls).toEqual([['/opt/py', PYTHON_MODULES.map((m) => m.module)]]);
    const none = { executable: () => false, missingModules: (_: string, m: string[]) => m };
    expect(findMissing(requirements({}, 'linux'), none)).toHaveLength(
      1 + PYTHON_MODULES.length + SLURM_PROGRAMS.length,
    );
    const all = { executable: () => true, missingModules: () => [] };
    expect(findMissing(requirements({}), all)).toEqual([]);
  });

  it('tells Debian and Ubuntu (and their derivatives) from the rest', () => {
    expect(aptFamily(DEBIAN)).toBe('debian');
    expect(aptFamily(UBUNTU)).toBe('ubuntu');
    expect(aptFamily(MINT)).toBe('ubuntu');
    expect(aptFamily(FEDORA)).toBeNull();
    expect(aptFamily(null)).toBeNull();
  });
});

describe('what setup-tests does about what is missing', () => {
  const missing = missingOf(['chromium', 'zarr', 'numcodecs']);

  it('does nothing when nothing is missing', () => {
    expect(plan([], machine({ uid: 0 }))).toEqual({ install: null, manual: [] });
  });

  it('installs as root on Debian, in one apt-get step, each package once', () => {
    const { install, manual } = plan(missing, machine({ uid: 0 }));
    expect(install).toEqual({
      packages: ['chromium', 'python3-zarr', 'python3-numcodecs'],
      sudo: 'no',
      commands: [
        ['apt-get', 'update', '-qq'],
        ['apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'chromium', 'python3-zarr', 'python3-numcodecs'],
      ],
    });
    expect(manual).toEqual([]);
    // A python that is missing altogether: every module, one package each.
    const all = plan(missingOf(PYTHON_MODULES.map((m) => m.module)), machine({ uid: 0 }));
    expect(all.install?.packages).toEqual(PYTHON_MODULES.map((m) => m.debian));
  });

  it('uses sudo only when agreed: by TOMOSEG_SETUP_SUDO=1 (never waiting for a password) or at a prompt on a terminal', () => {
    const agreed = plan(missing, machine({ env: { TOMOSEG_SETUP_SUDO: '1' } }));
    expect(agreed.install?.sudo).toBe('yes');
    expect(agreed.install?.commands.map((c) => c.slice(0, 3))).toEqual([
      ['sudo', '-n', 'apt-get'],
      ['sudo', '-n', 'apt-get'],
    ]);
    const asked = plan(missing, machine({ interactive: true }));
    expect(asked.install?.sudo).toBe('ask');
    expect(asked.install?.commands[1]!.slice(0, 2)).toEqual(['sudo', 'apt-get']);
    expect(asked.declined?.[0]).toContain('sudo apt-get install -y --no-install-recommends chromium python3-zarr');
  });

  it('without a terminal or agreement, installs nothing and prints the command', () => {
    for (const context of [
      machine(),
      machine({ interactive: true, env: { TOMOSEG_SETUP_SUDO: '0' } }),
      machine({ commands: ['apt-get'], interactive: true }),
    ]) {
      const { install, manual } = plan(missing, context);
      expect(install).toBeNull();
      expect(manual[0]).toMatch(
        /apt-get update && (sudo )?apt-get install -y --no-install-recommends chromium python3-zarr python3-numcodecs$/,
      );
    }
  });

  it('on Ubuntu installs the Python packages but not the Chromium snap, and says what to use instead', () => {
    const { install, manual } = plan(missing, machine({ uid: 0, osRelease: UBUNTU }));
    expect(install?.packages).toEqual(['python3-zarr', 'python3-numcodecs']);
    expect(manual.join('\n')).toContain('export CHROMIUM_PATH=/usr/bin/google-chrome');
  });

  it('never installs over a path given in the environment', () => {
    const custom = missingOf(['chromium', 'zarr'], {
      CHROMIUM_PATH: '/opt/chrome',
      TOMOSEG_PYTHON: '/opt/py/bin/python',
    });
    const { install, manual } = plan(custom, machine({ uid: 0 }));
    expect(install).toBeNull();
    expect(manual).toEqual([
      'CHROMIUM_PATH=/opt/chrome is not an executable file: point it at a Chromium or Chrome binary.',
      "Python modules: /opt/py/bin/python -m pip install 'zarr<3'",
    ]);
  });

  it('elsewhere prints the commands for the platform', () => {
    const mac = plan(missing, machine({ platform: 'darwin', osRelease: null, commands: [] }));
    expect(mac.install).toBeNull();
    expect(mac.manual).toContain('  brew install --cask google-chrome');
    expect(mac.manual).toContain("Python modules: /usr/bin/python3 -m pip install --user 'zarr<3' numcodecs");
    const windows = plan(missing, machine({ platform: 'win32', osRelease: null, commands: [], uid: undefined }));
    expect(windows.install).toBeNull();
    expect(windows.manual).toContain('  winget install Google.Chrome');
    expect(windows.manual).toContain("  py -m pip install --user 'zarr<3' numcodecs");
    const fedora = plan(missing, machine({ uid: 0, osRelease: FEDORA, commands: ['dnf'] }));
    expect(fedora.install).toBeNull();
    expect(fedora.manual.join('\n')).toContain('export TOMOSEG_PYTHON=');
  });
});
