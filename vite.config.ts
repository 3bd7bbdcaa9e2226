/**
 * Vite build of the browser client: two pages (spec list and editor) from `client/` into
 * `dist/client`, which the server serves statically (`/specs/:id` gets `editor.html`).
 * In development the API and the collaboration socket are proxied to the server on port 3000.
 */
import { fileURLToPath } from 'node:url'
import { defineConfig, type Plugin } from 'vite'

const page = (name: string): string => fileURLToPath(new URL(`./client/${name}`, import.meta.url))
const backend = process.env.VALENCE_BACKEND ?? 'http://localhost:3000'

/** In development, serve the editor page for `/specs/:id` as the server does in production. */
const specRoutes = (): Plugin => ({
  name: 'valence-spec-routes',
  configureServer(server) {
    server.middlewares.use((req, _res, next) => {
      const url = req.url ?? ''
      const match = /^\/specs\/[^/?#]+\/?(\?.*)?$/.exec(url)
      if (match) req.url = '/editor.html' + (match[1] ?? '')
      next()
    })
  }
})

export default defineConfig({
  root: 'client',
  plugins: [specRoutes()],
  base: '/',
  build: {
    outDir: '../dist/client',
    emptyOutDir: true,
    rolldownOptions: {
      input: {
        index: page('index.html'),
        editor: page('editor.html')
      }
    }
  },
  server: {
    proxy: {
      '/api': { target: backend, changeOrigin: true },
      '/ws': { target: backend, ws: true, changeOrigin: true }
    }
  }
})
