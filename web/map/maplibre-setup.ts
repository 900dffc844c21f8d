/**
 * One-time MapLibre set-up for the bundled app.
 *
 * MapLibre v6 loads its worker from a URL next to its own module; inside a bundle that file
 * does not exist, so point it at the worker Vite emits as an asset (same origin, no CDN).
 */
import { setWorkerUrl } from 'maplibre-gl'
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url'
import 'maplibre-gl/dist/maplibre-gl.css'

setWorkerUrl(workerUrl)
