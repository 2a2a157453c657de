import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The API server the dev server proxies to: the server's default port (packages/server/src/config.ts), or GATRIX_PORT. */
const api = `http://127.0.0.1:${process.env.GATRIX_PORT ?? process.env.PORT ?? 3000}`;

/** Vendor code in a few long-cached chunks; every screen is its own lazy chunk (src/app/routes.tsx). */
function manualChunks(id: string): string | undefined {
  if (!id.includes('node_modules')) return undefined;
  if (/node_modules[\\/](react|react-dom|scheduler)[\\/]/.test(id)) return 'react';
  if (id.includes('@tanstack/')) return 'tanstack';
  if (id.includes('i18next')) return 'i18n';
  return undefined;
}

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    sourcemap: false,
    rollupOptions: { output: { manualChunks } },
  },
  server: {
    port: Number(process.env.CONSOLE_DEV_PORT ?? 5173),
    strictPort: true,
    proxy: {
      '/api': { target: api, changeOrigin: false },
      '/docs': { target: api },
      '/openapi.json': { target: api },
      '/socket.io': { target: api, ws: true },
    },
  },
});
