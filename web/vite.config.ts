// Builds the single-page app into dist/web (or HEALTHTRACK_WEB_OUT), which the server serves.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import path from 'node:path';

const root = path.dirname(new URL(import.meta.url).pathname);

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: process.env.HEALTHTRACK_WEB_OUT ?? path.join(root, '..', 'dist', 'web'),
    emptyOutDir: true,
    // No source maps in the served build: the source is not published with the app.
    sourcemap: false,
    chunkSizeWarningLimit: 800,
  },
  server: {
    // `npm run dev:web`: the API runs on PORT (default 3000), Vite proxies to it.
    proxy: Object.fromEntries(
      ['/api', '/auth', '/platform', '/public', '/waitlist', '/feeds', '/openapi.json', '/.well-known'].map((p) => [
        p,
        { target: `http://127.0.0.1:${process.env.PORT ?? 3000}`, changeOrigin: false },
      ]),
    ),
  },
});
