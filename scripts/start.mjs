#!/usr/bin/env node
// `npm start`: builds when the sources are newer than the build, then opens the desktop app, or,
// where the Electron binary cannot run (no binary, no display), the local web mode in a browser.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const webOnly = args.includes('--web');
const passThrough = args.filter((a) => a !== '--web');

if (isStale()) {
  console.log('Building Tomoseg…');
  const build = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const electron = webOnly ? null : electronBinary();
if (electron) {
  const startedAt = Date.now();
  const child = spawn(electron, [root, ...passThrough], { stdio: 'inherit' });
  child.on('exit', (code) => {
    // A desktop that cannot host Electron (missing system libraries, no GPU process) fails fast.
    if (code !== 0 && Date.now() - startedAt < 10_000) {
      console.log(`Electron exited with code ${code} at start: starting the local web mode instead.`);
      void startWeb();
    } else process.exit(code ?? 0);
  });
} else {
  await startWeb();
}

async function startWeb() {
  process.argv = [process.argv[0], join(root, 'out', 'main', 'web.js'), ...passThrough];
  await import(join(root, 'out', 'main', 'web.js'));
}

/** The Electron executable if it can run here, else null (with the reason). */
function electronBinary() {
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    console.log('No display found: starting the local web mode instead of the desktop window.');
    return null;
  }
  const electronDir = join(root, 'node_modules', 'electron');
  if (!existsSync(join(electronDir, 'path.txt'))) {
    // Electron's package downloads its binary on first use; do it here so a failure is one line.
    console.log('Fetching the Electron binary (first start only)…');
    const install = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
      stdio: ['ignore', 'inherit', 'pipe'],
      encoding: 'utf8',
    });
    if (install.status !== 0) {
      const reason = (install.stderr || install.error?.message || '').trim().split('\n')[0];
      console.log(`The Electron binary is not available here (${reason}): starting the local web mode instead.`);
      return null;
    }
  }
  const path = createRequire(import.meta.url)('electron');
  return typeof path === 'string' && existsSync(path) ? path : null;
}

function isStale() {
  const built = join(root, 'out', 'main', 'web.js');
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  return newestIn(join(root, 'src')) > builtAt;
}

function newestIn(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestIn(path) : statSync(path).mtimeMs);
  }
  return newest;
}
