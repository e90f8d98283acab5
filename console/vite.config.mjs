// @ts-check
/**
 * The console's build: `npm run build-console` (run by prestart, pretest and build when
 * console/dist is missing or older than its sources) writes console/dist, which the receiver
 * serves at /console. Preact's JSX runtime through Vite's own transformer: no plugin needed.
 */
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // One small app: a single chunk and no inline assets (the CSP allows 'self' only).
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  logLevel: 'warn',
});
