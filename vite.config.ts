import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The renderer is built once and served by the Electron window (file://) and the web host (http://127.0.0.1).
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
