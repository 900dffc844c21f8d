/**
 * The installable app: registers the service worker (built by vite-plugin-pwa as `/sw.js`, see
 * scripts/pwa-config.ts; production builds only) once a patrol page has loaded, so it never
 * competes with the first paint, and keeps the browser's install prompt for an "install" button.
 */
import { shallowRef } from 'vue'

/** Chromium's `beforeinstallprompt` event. */
interface InstallPromptEvent extends Event {
  prompt: () => Promise<void>
  userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>
}

/** The pending install prompt, while the browser offers one. */
export const installPrompt = shallowRef<InstallPromptEvent | null>(null)

/** Shows the browser's install dialog (after a tap); the prompt can be used once. */
export async function promptInstall(): Promise<boolean> {
  const event = installPrompt.value
  if (!event) return false
  installPrompt.value = null
  await event.prompt()
  return (await event.userChoice).outcome === 'accepted'
}

const RELOADED_KEY = 'safegrid.chunkReload'
/** The API reads the service worker caches (scripts/pwa-config.ts). */
const CACHED_READS = /^\/api\/(communities$|layers\/|tiles\/)/

/** Registers the install and stale-chunk handlers (once, at start). */
export function installPwa(): void {
  if (typeof window === 'undefined') return
  window.addEventListener('beforeinstallprompt', (event) => {
    event.preventDefault()
    installPrompt.value = event as InstallPromptEvent
  })
  window.addEventListener('appinstalled', () => (installPrompt.value = null))
  // A new version replaced the chunks this page still wants: load the new version (once a minute at most).
  window.addEventListener('vite:preloadError', (event) => {
    if (!navigator.onLine) return
    const last = Number(sessionStorage.getItem(RELOADED_KEY) ?? 0)
    if (Date.now() - last < 60_000) return
    sessionStorage.setItem(RELOADED_KEY, String(Date.now()))
    event.preventDefault()
    location.reload()
  })
}

let registered = false

/**
 * Registers the service worker (once; production builds only) after the page has loaded. Called
 * when a patrol page opens: the offline shell is the patrol phone's, desktops of the command
 * centre do without it.
 */
export function registerServiceWorker(): void {
  if (registered || typeof window === 'undefined' || !import.meta.env.PROD || !('serviceWorker' in navigator)) return
  registered = true
  // The first time the worker takes over, the reads this page already made went past it: fetch the
  // harmless ones again through it so they are cached (the map and community list then open offline).
  const hadController = navigator.serviceWorker.controller !== null
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (hadController) return
    const urls = new Set(
      performance
        .getEntriesByType('resource')
        .map((e) => new URL(e.name))
        .filter((u) => u.origin === location.origin && CACHED_READS.test(u.pathname))
        .map((u) => u.pathname + u.search),
    )
    for (const url of urls) void fetch(url, { credentials: 'same-origin' }).catch(() => undefined)
  })
  const register = (): void => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
      // No offline shell this time (e.g. plain http on a LAN address): the app still works online.
    })
  }
  if (document.readyState === 'complete') register()
  else window.addEventListener('load', register, { once: true })
}
