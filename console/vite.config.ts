// The console is served by the Flask app at /console/; `npm run build` writes dist/ for it.
import { defineConfig } from "vite";

export default defineConfig({
  base: "./", // relative: the app may be mounted under a prefix
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    modulePreload: { polyfill: false }, // no inline script: the page's CSP allows none
    assetsInlineLimit: 0, // no data: URLs for scripts or styles
    reportCompressedSize: true,
  },
  server: { proxy: { "/api": "http://127.0.0.1:8000", "/media": "http://127.0.0.1:8000" } },
});
