import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { compression } from "vite-plugin-compression2";

/**
 * The web UI's build: `dist/app` (index.html and hashed `assets/`), with paths from `/` (build
 * with `--base /prefix/` to serve it under a prefix). `npm run dev` proxies the API paths to
 * `RESULTS_API` (default http://localhost:8080, the server of `npm start`). Each file also gets
 * its gzip and Brotli forms (`.gz`, `.br`), which the server sends to browsers that accept them
 * (the entry chunk: about 130 KB gzipped, 110 KB Brotli, for 430 KB).
 */
const api = process.env["RESULTS_API"] ?? "http://localhost:8080";

export default defineConfig({
  plugins: [react(), compression({ algorithms: ["gzip", "brotliCompress"] })],
  // Carbon's Sass warns about its own use of deprecated features: not ours to fix.
  css: { preprocessorOptions: { scss: { quietDeps: true } } },
  build: { outDir: "dist/app", emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: {
    proxy: {
      "^/tekton\\.results\\.": { target: api, changeOrigin: true },
      "/apis/": { target: api, changeOrigin: true },
    },
  },
});
