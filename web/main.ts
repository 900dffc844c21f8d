/**
 * Entry point of the SafeGrid web app.
 */
import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { installAuth } from './auth.ts'
import { createAppRouter } from './router.ts'
import './styles.css'

const app = createApp(App)
const pinia = createPinia()
const router = createAppRouter()
app.use(pinia)
installAuth(router)
app.use(router)
app.mount('#app')
