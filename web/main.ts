/**
 * Entry point of the SafeGrid web app.
 */
import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { installAuth } from './auth.ts'
import { installPwa, registerServiceWorker } from './offline/pwa.ts'
import { createAppRouter } from './router.ts'
import { useOfflineQueueStore } from './stores/offline-queue.ts'
import './styles.css'

const app = createApp(App)
const pinia = createPinia()
const router = createAppRouter()
app.use(pinia)
installAuth(router)
app.use(router)
app.mount('#app')
// The patrol phone: service worker and install prompt; the outbox sends what waits (issue 10).
installPwa()
router.afterEach((to) => {
  if (to.path.startsWith('/patrol')) registerServiceWorker()
})
useOfflineQueueStore(pinia).start()
