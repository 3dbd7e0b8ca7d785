// End-to-end tests: Debian's Chromium (never a downloaded browser) drives the built web mode,
// one fresh server per test (e2e/support/test.ts), each with a throw-away settings folder.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'e2e',
  // scrolling.spec.ts is a benchmark (scripts/bench/app.ts runs it with TOMOSEG_BENCH_VOLUME), not a check
  testIgnore: process.env.TOMOSEG_BENCH_VOLUME ? [] : ['scrolling.spec.ts'],
  outputDir: 'e2e/artifacts/results',
  // One browser at a time: software WebGL is CPU-bound and the machines are small.
  workers: 1,
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list'], ['html', { outputFolder: 'e2e/artifacts/report', open: 'never' }]],
  use: {
    browserName: 'chromium',
    viewport: { width: 1280, height: 800 },
    deviceScaleFactor: 1,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        // Software WebGL for vtk.js on machines without a GPU.
        '--use-angle=swiftshader',
        '--enable-unsafe-swiftshader',
      ],
    },
  },
});
