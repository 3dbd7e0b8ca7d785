// Starts the built web server (`npm run build` first) with a temporary settings folder, hands its
// URL (with the token) to the tests, and stops it and removes the folder afterwards.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SERVER = join('out', 'main', 'web.js');

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run \`npm run build\` before the e2e tests`);
  const dataDir = await mkdtemp(join(tmpdir(), 'tomoseg-e2e-'));
  const server = spawn(process.execPath, [SERVER, '--no-open', '--port', '0'], {
    env: { ...process.env, TOMOSEG_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.env.TOMOSEG_E2E_URL = await serverUrl(server);
  process.env.TOMOSEG_E2E_DATA_DIR = dataDir;
  return async () => {
    if (server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  };
}

/** The URL the server prints on start-up. */
function serverUrl(server: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`web server did not start:\n${output}`)), 20_000);
    server.once('exit', (code) => reject(new Error(`web server exited with ${code}:\n${output}`)));
    server.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = /https?:\/\/\S+token=\S+/.exec(output)?.[0];
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    });
  });
}
