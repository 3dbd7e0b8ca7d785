// Local web mode: the same services as the desktop app, served to a browser on localhost.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { builtRendererDir, bundledResourcesDir, userDataDir } from './paths';
import { createBackend } from './services';
import { exposureWarning } from './web/addresses';
import { startWebServer } from './web/server';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    open: { type: 'boolean', default: true },
    'no-open': { type: 'boolean', default: false },
  },
});

const backend = createBackend({
  shell: 'web',
  version: process.env.npm_package_version ?? '0.1.0',
  dataDir: userDataDir(),
  resourcesDir: bundledResourcesDir(),
});
const server = await startWebServer({
  backend,
  rendererDir: builtRendererDir(),
  host: values.host,
  port: Number(values.port),
  token: keptToken(),
});

console.log(`Tomoseg is running in web mode at\n  ${server.url}\nPress Ctrl+C to stop.`);
const warning = exposureWarning(values.host, Number(new URL(server.url).port));
if (warning) console.warn(warning);
if (values.open && !values['no-open']) openBrowser(server.url);

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void server.close().then(() => process.exit(0)));

/**
 * The token of the last start, kept in the user's own settings folder (readable by them only), so
 * that a page left open reconnects after Tomoseg is restarted on the same port.
 */
function keptToken(): string {
  const path = join(userDataDir(), 'web-token');
  try {
    const kept = readFileSync(path, 'utf8').trim();
    if (/^[0-9a-f]{32}$/.test(kept)) return kept;
  } catch {
    // none yet
  }
  const token = randomBytes(16).toString('hex');
  mkdirSync(userDataDir(), { recursive: true });
  writeFileSync(path, token, { mode: 0o600 });
  return token;
}

/** Best effort: a machine without a desktop simply keeps the printed URL. */
function openBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return;
  const child = spawn(command, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => undefined);
  child.unref();
}
