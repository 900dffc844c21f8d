import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import { patrolPwa } from './scripts/pwa-config.ts'

export default defineConfig({
  root: 'web',
  publicDir: 'public',
  // patrolPwa: the installable, offline-first patrol phone app (manifest, service worker).
  plugins: [vue(), ...patrolPwa()],
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // The regex keeps Vite's own module requests for web/api/*.ts out of the proxy.
    proxy: { '^/api/(?!.*\\.ts(\\?.*)?$)': 'http://127.0.0.1:8080', '/ogc': 'http://127.0.0.1:8080' },
  },
})
