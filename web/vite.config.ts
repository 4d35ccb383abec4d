/// <reference types="vitest/config" />
import { fileURLToPath, URL } from 'node:url';
import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The Python server serves the built app from src/nexus/static (index.html + assets, with
// client-side routing fallback). In development `npm run dev` proxies the API to a local
// `nexus serve` (NEXUS_API_URL, default http://127.0.0.1:8000).
const api = process.env.NEXUS_API_URL ?? 'http://127.0.0.1:8000';

export default defineConfig({
  plugins: [react(), tailwindcss()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  build: {
    outDir: '../src/nexus/static',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // The server's CSP is script-src 'self': never inline a script.
    assetsInlineLimit: 0,
    rolldownOptions: {
      output: {
        // React and the router change far less often than the app: their own chunk stays in
        // the browser cache across our releases.
        codeSplitting: {
          groups: [
            {
              name: 'react',
              test: /node_modules[\\/](react|react-dom|scheduler|react-router|cookie|set-cookie-parser)[\\/]/,
            },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: false },
      '/socket.io': { target: api, ws: true },
    },
  },
  test: {
    environment: 'happy-dom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    restoreMocks: true,
  },
});
