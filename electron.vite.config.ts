import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';

/** Node entry points built from src/main: the Electron shell, the web server, the CLI, workers. */
const mainEntries = {
  index: resolve('src/main/index.ts'),
  web: resolve('src/main/web.ts'),
  cli: resolve('src/main/cli/main.ts'),
  'engine-worker': resolve('src/main/engine/worker.ts'),
  'segmentation-worker': resolve('src/main/segmentation/segmentation-worker.ts'),
  'mesh-worker': resolve('src/main/services/mesh-worker.ts'),
  'mesh-refine-worker': resolve('src/main/mesh/refine-worker.ts'),
  'mesh-field-worker': resolve('src/main/mesh/field-worker.ts'),
};

export default defineConfig({
  main: {
    // Native and large modules stay `require`d from node_modules at run time.
    // Shared chunks stay next to the entries, so paths relative to out/main hold in every chunk.
    build: {
      externalizeDeps: true,
      rolldownOptions: { input: mainEntries, output: { chunkFileNames: '[name]-[hash].js' } },
    },
  },
  preload: {
    // A sandboxed preload cannot require node_modules: bundle everything into one CommonJS file.
    build: {
      externalizeDeps: false,
      rolldownOptions: {
        input: { preload: resolve('src/main/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    plugins: [react()],
    build: { rolldownOptions: { input: resolve('src/renderer/index.html') } },
  },
});
