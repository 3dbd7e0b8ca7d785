// Playwright's `test` with a fresh Tomoseg web server for every test (see server.ts).
import { test as base } from '@playwright/test';
import { startServer } from './server';

export { expect, type Page } from '@playwright/test';

let currentUrl: string | null = null;

/** The running test's server URL (with its token). */
export function appUrl(): string {
  if (!currentUrl) throw new Error('no Tomoseg server: import `test` from e2e/support/test.ts');
  return currentUrl;
}

export const test = base.extend<{ server: string }>({
  server: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const server = await startServer();
      currentUrl = server.url;
      await use(server.url);
      currentUrl = null;
      await server.stop();
    },
    { auto: true },
  ],
});
