/**
 * Vite build of the browser client: the pages of `client/` into `dist/client`, which the server
 * serves statically. Routes with clean URLs map to pages as follows (the server does the same
 * in production; in development the plugin below does):
 *
 * | URL | page |
 * |---|---|
 * | `/` | `index.html` (spec list) |
 * | `/specs/:id` | `editor.html` |
 * | `/signin` | `signin.html` |
 * | `/setup?token=` | `setup.html` (first run) |
 * | `/signup?token=` | `signup.html` (invited team member) |
 * | `/invite/:token` | `invite.html` (customer invite landing) |
 * | `/workspace` | `workspace.html` (facilitators) |
 * | `/unsubscribe?token=` | `unsubscribe.html` (email digests) |
 *
 * In development the API and the collaboration socket are proxied to the server on port 3000.
 */
import { fileURLToPath } from 'node:url'
import { defineConfig, type Plugin, type ProxyOptions } from 'vite'

const page = (name: string): string => fileURLToPath(new URL(`./client/${name}`, import.meta.url))
const backend = process.env.VALENCE_BACKEND ?? 'http://localhost:3000'

/** Clean URL → page, for the development server (the production server has the same table). */
const ROUTES: [RegExp, string][] = [
  [/^\/specs\/[^/?#]+\/?(\?.*)?$/, '/editor.html'],
  [/^\/invite\/[^/?#]+\/?(\?.*)?$/, '/invite.html'],
  [/^\/return\/[^/?#]+\/?(\?.*)?$/, '/invite.html'],
  [/^\/signin\/?(\?.*)?$/, '/signin.html'],
  [/^\/setup\/?(\?.*)?$/, '/setup.html'],
  [/^\/signup\/?(\?.*)?$/, '/signup.html'],
  [/^\/workspace\/?(\?.*)?$/, '/workspace.html'],
  [/^\/unsubscribe\/?(\?.*)?$/, '/unsubscribe.html']
]

/** In development, serve each page for its clean URL as the server does in production. */
const pageRoutes = (): Plugin => ({
  name: 'valence-page-routes',
  configureServer(server) {
    server.middlewares.use((req, _res, next) => {
      const url = req.url ?? ''
      for (const [pattern, file] of ROUTES) {
        const match = pattern.exec(url)
        if (match) {
          req.url = file + (match[1] ?? '')
          break
        }
      }
      next()
    })
  }
})

/**
 * Proxy options for the backend. The server refuses cookie-authenticated WebSocket upgrades and
 * state-changing requests from a foreign `Origin`; in development the page's origin is Vite's,
 * so the proxy presents the backend's own origin instead.
 */
const toBackend = (ws = false): ProxyOptions => ({
  target: backend,
  ws,
  changeOrigin: true,
  configure: (proxy) => {
    const origin = new URL(backend).origin
    proxy.on('proxyReq', (req) => {
      if (req.getHeader('origin') !== undefined) req.setHeader('origin', origin)
    })
    proxy.on('proxyReqWs', (req) => {
      if (req.getHeader('origin') !== undefined) req.setHeader('origin', origin)
    })
  }
})

export default defineConfig({
  root: 'client',
  plugins: [pageRoutes()],
  base: '/',
  resolve: {
    // zod without its eval probe, which the pages' CSP reports (client/zod-jitless.ts).
    alias: [{ find: /^zod$/, replacement: fileURLToPath(new URL('./client/zod-jitless.ts', import.meta.url)) }]
  },
  build: {
    outDir: '../dist/client',
    emptyOutDir: true,
    rolldownOptions: {
      input: {
        index: page('index.html'),
        editor: page('editor.html'),
        signin: page('signin.html'),
        setup: page('setup.html'),
        signup: page('signup.html'),
        invite: page('invite.html'),
        workspace: page('workspace.html'),
        unsubscribe: page('unsubscribe.html')
      }
    }
  },
  server: {
    proxy: {
      '/api': toBackend(),
      '/ws': toBackend(true)
    }
  }
})
