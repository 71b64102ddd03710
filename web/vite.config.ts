import { defineConfig } from 'vite';

// Node's process, declared here so the type check needs no @types/node.
declare const process: { env: Record<string, string | undefined> };

// The Samling server serves web/dist at "/" and the JSON API under /api/v1/.
// In development, `npm run dev` proxies the API and the WebSocket (/ws) to a running server
// (SAMLING_API, default http://127.0.0.1:8080).
const api = process.env['SAMLING_API'] ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/',
  // Vite's built-in (esbuild) JSX transform, targeting Preact's automatic runtime: no extra
  // plugin. Vite 6 is the newest major that runs on Node 18 (Debian 12's nodejs).
  esbuild: {
    jsx: 'automatic',
    jsxImportSource: 'preact',
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    sourcemap: false,
    // One entry chunk: no need for the modulepreload polyfill.
    modulePreload: { polyfill: false },
    // Hashed names under /assets/ (Vite's defaults, spelled out because the server relies on them
    // for long-lived caching).
    rollupOptions: {
      output: {
        entryFileNames: 'assets/[name]-[hash].js',
        chunkFileNames: 'assets/[name]-[hash].js',
        assetFileNames: 'assets/[name]-[hash][extname]',
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: false },
      '/ws': { target: api, changeOrigin: false, ws: true },
    },
  },
});
