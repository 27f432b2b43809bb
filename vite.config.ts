import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The renderer is built once and served by the Electron window (app://firedrill/, electron/main/app-protocol.ts)
// and the web host (http://127.0.0.1). Relative asset URLs work for both; both obey the <meta> CSP in
// index.html (connect-src 'self' is the web host's own WebSocket), and app:// adds a stricter header.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../out/renderer',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
});
