import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

// The SPA is built into web/dist and served by the Tessera server (server/platform/http/static-web.ts).
export default defineConfig({
  root,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // Hashed names let the server cache assets forever; index.html is never cached.
    assetsDir: 'assets',
    chunkSizeWarningLimit: 400,
  },
  server: {
    // `npm run dev:web` next to `npm run dev`: the API and the WebSocket come from the real server.
    proxy: { '/api': { target: 'http://127.0.0.1:3000', ws: true } },
    fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] },
  },
});
