// cairn console build: everything the console needs ends up in ui/dist, with
// relative paths, so that the centre serves it from any static_dir and
// nothing is fetched from outside at run time.
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2048,
    sourcemap: false,
  },
  server: {
    // `npm run dev` against a running centre: CAIRN_URL=http://127.0.0.1:8080
    proxy: process.env.CAIRN_URL
      ? { '/api': process.env.CAIRN_URL, '/data': process.env.CAIRN_URL }
      : undefined,
  },
});
