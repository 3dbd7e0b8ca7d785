// The built web server (`npm run build` first) with a throw-away settings folder: one per test, so
// no test sees another's volumes, labels or project.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SERVER = join('out', 'main', 'web.js');

export interface TestServer {
  /** The page URL with its token. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts the server on `port` (any free one by default) with the settings folder `dataDir`, kept
 * when given (to start it again there), else a new one removed on stop.
 */
export async function startServer(options: { port?: number; dataDir?: string } = {}): Promise<TestServer> {
  if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run \`npm run build\` before the e2e tests`);
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'tomoseg-e2e-')));
  const server = spawn(process.execPath, [SERVER, '--no-open', '--port', String(options.port ?? 0)], {
    env: { ...process.env, TOMOSEG_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
    await exited;
    if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`web server did not start:\n${output}`)), 30_000);
      server.once('exit', (code) => reject(new Error(`web server exited with ${code}:\n${output}`)));
      server.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const found = /https?:\/\/\S+token=\S+/.exec(output)?.[0];
        if (found) {
          clearTimeout(timer);
          resolve(found);
        }
      });
    });
    return { url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
