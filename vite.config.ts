import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

export default defineConfig({
  root: 'web',
  publicDir: 'public',
  plugins: [vue()],
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
