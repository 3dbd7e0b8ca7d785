// Playwright's `test` with a fresh Tomoseg web server for every test (see server.ts), and a way to
// restart it mid-test (a new process with a fresh settings folder: what survives is on disk).
import { test as base } from '@playwright/test';
import { type TestServer, startServer } from './server';

export { expect, type Page } from '@playwright/test';

let current: TestServer | null = null;

/** The running test's server URL (with its token). */
export function appUrl(): string {
  if (!current) throw new Error('no Tomoseg server: import `test` from e2e/support/test.ts');
  return current.url;
}

export const test = base.extend<{ server: string; restartServer: () => Promise<string> }>({
  server: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      current = await startServer();
      await use(current.url);
      const last = current;
      current = null;
      await last.stop();
    },
    { auto: true },
  ],
  /** Stops the server and starts another; returns its URL (appUrl() gives it from then on). */
  restartServer: async ({ server }, use) => {
    void server; // started first, so there is one to restart
    await use(async () => {
      await current!.stop();
      current = await startServer();
      return current.url;
    });
  },
});
