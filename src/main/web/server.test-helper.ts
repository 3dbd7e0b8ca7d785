// The web server in a process of its own, for tests that must see it survive what they send:
// `node --import tsx server.test-helper.ts`. Prints its URL as one line, then serves until killed.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Handlers } from '../api/dispatch';
import type { Backend } from '../services';
import { EventBus } from '../services/events';
import { Jobs } from '../services/jobs';
import { startWebServer } from './server';

const rendererDir = await mkdtemp(join(tmpdir(), 'tomoseg-web-'));
await writeFile(join(rendererDir, 'index.html'), '<html>tomoseg</html>');
const handlers = {
  recentVolumes: async () => ['a.tif'],
  // A result that cannot be framed: the reply must become an error, not a crash.
  openSample: async () => ({ size: 1n }),
} as unknown as Handlers;
const events = new EventBus();
const backend: Backend = { handlers, events, jobs: new Jobs(events) };
const server = await startWebServer({ backend, rendererDir });
process.stdout.write(`${server.url}\n`);
