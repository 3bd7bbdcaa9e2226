/**
 * The express application: JSON API, health probes and the built client. No `listen()` here.
 */
import fs from 'node:fs'
import path from 'node:path'
import express, { type Express } from 'express'
import type { Storage } from '../storage/store.js'
import type { RoomRegistry } from '../sync/rooms.js'
import type { Logger } from '../observability/logger.js'
import { errorMiddleware, HttpError, notFound } from './errors.js'
import { specsRouter } from './specs.js'

/** What the app is built from. */
export interface AppDeps {
  storage: Storage
  rooms: RoomRegistry
  log: Logger
  /** Folder with the built client (index.html, editor.html, assets/); null to serve none. */
  clientDir: string | null
  trustProxy: boolean
}

/** Largest JSON body the API accepts. */
export const MAX_JSON_BYTES = 64 * 1024

/** Builds the express app. */
export function createApp(deps: AppDeps): Express {
  const app = express()
  app.disable('x-powered-by')
  app.set('trust proxy', deps.trustProxy)

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' })
  })
  app.get('/readyz', async (_req, res) => {
    try {
      await deps.storage.docs.ping()
      res.json({ status: 'ready' })
    } catch (err) {
      deps.log.warn({ err }, 'readiness check failed')
      res.status(503).json({ error: { code: 'storage_unavailable', message: 'storage is not reachable' } })
    }
  })

  const api = express.Router()
  api.use(express.json({ limit: MAX_JSON_BYTES, strict: true, type: () => true }))
  api.use('/specs', specsRouter(deps.storage.specs, deps.storage.docs, deps.rooms))
  api.use(notFound)
  app.use('/api', api)

  const clientDir = deps.clientDir
  if (clientDir && fs.existsSync(path.join(clientDir, 'index.html'))) {
    app.use(express.static(clientDir, { index: 'index.html', maxAge: '1h', setHeaders: noCacheHtml }))
    app.get('/specs/:id', (_req, res) => {
      res.setHeader('Cache-Control', 'no-cache')
      res.sendFile(path.join(clientDir, 'editor.html'))
    })
  } else {
    app.get('/', () => {
      throw new HttpError(503, 'client_not_built', 'the web client is not built: run `npm run build`')
    })
  }

  app.use(notFound)
  app.use(errorMiddleware(deps.log))
  return app
}

function noCacheHtml(res: express.Response, file: string): void {
  if (file.endsWith('.html')) res.setHeader('Cache-Control', 'no-cache')
}
