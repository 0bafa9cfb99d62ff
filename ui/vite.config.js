import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Built into the server's static files; served by `paas server` from the same origin as the API.
export default defineConfig({
  plugins: [svelte()],
  build: {
    outDir: '../engine/Gitops.Server/wwwroot',
    emptyOutDir: true,
    // No inline scripts or styles: the server's Content-Security-Policy allows only its own files.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
