// Root ignores file permissions (CI runs as root), so a test of what the app does in a read-only
// place looks from a child process that is not root: it loads its modules as root, so the checkout
// need not be readable by anyone else, then becomes `nobody` before it acts.
import { spawn } from 'node:child_process';

/** Debian's nobody:nogroup. */
export const NOBODY = { uid: 65534, gid: 65534 } as const;

/** Set by runHelper in the environment of a child that is to become nobody. */
const AS_NOBODY = 'TOMOSEG_TEST_AS_NOBODY';

/** Whether this process runs as root, where permission bits stop nothing. */
export const isRoot = (): boolean => process.getuid?.() === 0;

/**
 * In a helper started by runHelper: becomes nobody (no supplementary groups) where it was asked to,
 * after the caller has loaded what it needs. Throws where the system does not allow it, so a test
 * that needs it fails rather than looks as root.
 */
export function becomeNobodyIfAsked(): void {
  if (process.env[AS_NOBODY] !== '1') return;
  process.setgroups!([]);
  process.setgid!(NOBODY.gid);
  process.setuid!(NOBODY.uid);
  if (process.getuid!() !== NOBODY.uid || process.getgid!() !== NOBODY.gid) throw new Error('still root');
}

/**
 * Runs `node --import tsx <helper> ...args`, as nobody where this process is root, and resolves to
 * what it printed; rejects with its stderr when it fails.
 */
export function runHelper(helper: string, args: string[]): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', helper, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, [AS_NOBODY]: isRoot() ? '1' : '0' },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${helper} exited ${code}: ${err}`))));
  });
}
