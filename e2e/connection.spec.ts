// Web mode when the server goes away: the page says so at once, refuses to pretend a stroke was
// kept, reconnects when Tomoseg is back on the same port, and tells a restart from a dropped link.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './support/test';
import { stroke } from './support/painting';
import { startServer } from './support/server';

/** A port free now (the server started next takes it). */
const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

test('a lost server is said at once, strokes meanwhile are refused, and a restart is reconnected', async ({ page }) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'tomoseg-e2e-reconnect-'));
  const port = await freePort();
  let server = await startServer({ port, dataDir });
  try {
    await page.goto(server.url);
    await page.getByTestId('open-sample').first().click();
    await expect(page.getByTestId('canvas-z')).toHaveAttribute('data-shown-slice', '64');
    await page.getByTestId('tool-paint').click();
    await stroke(page, [20, 30], [60, 30]);
    await expect(page.getByTestId('next-step')).toContainText('paint another class');

    await server.stop();
    const banner = page.getByTestId('connection-message');
    await expect(banner).toHaveAttribute('data-kind', 'error');
    await expect(banner).toContainText('The connection to Tomoseg was lost');
    await stroke(page, [20, 60], [60, 60]);
    await expect(page.getByTestId('segmentation-notice')).toContainText(
      'not connected to Tomoseg (reconnecting…): this was not done',
    );

    server = await startServer({ port, dataDir });
    await expect(banner).toHaveAttribute('data-kind', 'warning', { timeout: 15_000 });
    await expect(banner).toContainText('Reconnected to Tomoseg');
    await expect(banner).toContainText('It was restarted, which closed everything');
    // the volume is opened again, without the labels of the server that stopped
    await expect(page.getByTestId('canvas-z')).toHaveAttribute('data-shown-slice', '64');
    await expect(page.getByTestId('next-step')).toContainText('paint a few strokes of at least two classes');
    await page.getByTestId('tool-paint').click();
    await stroke(page, [20, 90], [60, 90]);
    await expect(page.getByTestId('next-step')).toContainText('paint another class');
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
