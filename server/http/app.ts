/**
 * The express application: JSON API, health probes and the built client. No `listen()` here.
 * Every route is declared with what it requires (routes.ts): an action of the permission
 * matrix, any signed-in caller, or public.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { IncomingMessage } from 'node:http'
import express, { type Express } from 'express'
import type { Storage } from '../storage/doc-store.js'
import type { RoomRegistry } from '../sync/rooms.js'
import type { Logger } from '../observability/logger.js'
import { errorMiddleware, HttpError, notFound } from './errors.js'
import { specsRouter } from './specs.js'
import { decisionsRouter } from './decisions.js'
import type { ReviewEvents } from '../review/review-events.js'
import type { ReviewStore } from '../review/review-store.js'
import type { ContributionStore } from '../review/contribution-store.js'
import { contributionsRouter } from './contributions.js'
import type { ThreadStore } from '../review/thread-store.js'
import { namesIn } from '../review/thread-views.js'
import { threadsRouter } from './threads.js'
import type { RemovalStore } from '../review/removal-store.js'
import { removalsRouter } from './removals.js'
import type { AnswersService } from '../review/answers-service.js'
import type { UnsubscribeTokens } from '../notify/unsubscribe-tokens.js'
import { answersRouter } from './answers.js'
import { reviewSettingsRouter } from './review-settings.js'
import { exportsRouter, type ExportsRouterDeps } from './exports.js'
import { exportSettingsRouter } from './export-settings.js'
import { emailDigestRouter } from './email-digest.js'
import type { Auth } from '../auth/auth-service.js'
import { authenticate, csrfGuard } from './auth-middleware.js'
import { authRouter, SIGN_IN_PATHS } from './auth-routes.js'
import { returnLinksRouter } from './return-links.js'
import { membersRouter } from './members.js'
import { panelsRouter } from './panels.js'
import { mergesRouter } from './merges.js'
import { invitesRouter } from './invites.js'
import { tokensRouter } from './tokens.js'
import { securityHeaders } from './security-headers.js'
import { declareRoutes, PUBLIC } from './routes.js'

/** What the app is built from. */
export interface AppDeps {
  storage: Storage
  /** The decisions ledger. */
  review: ReviewStore
  /** Contributions, written by the rooms (server/review/contributions-feed.ts). */
  contributions: ContributionStore
  /** Removals of customer words, written by the rooms (server/review/removals-feed.ts). */
  removals: RemovalStore
  rooms: RoomRegistry
  /** Comment threads anchored to text (server/review/thread-store.ts). */
  threads: ThreadStore
  /** Where review changes are published (delivered to live connections). */
  events: ReviewEvents
  /** Answers to readers, review settings, digest marks. */
  answers: AnswersService
  /** Signs and checks the unsubscribe links of email digests. */
  unsubscribe: UnsubscribeTokens
  /** Identity: who is calling and what they may do. */
  auth: Auth
  /** Export jobs, their source and the preview (server/export/). */
  exports: Pick<ExportsRouterDeps, 'jobs' | 'source' | 'preview' | 'heartbeatMs'>
  log: Logger
  /** Folder with the built client (index.html, editor.html, assets/); null to serve none. */
  clientDir: string | null
  trustProxy: boolean
}

/** Page routes and the built HTML file each serves (only those present in the build). */
const PAGES: ReadonlyArray<[string, string]> = [
  ['/specs/:id', 'editor.html'],
  ['/signin', 'signin.html'],
  ['/setup', 'setup.html'],
  ['/signup', 'signup.html'],
  ['/invite/:token', 'invite.html'],
  // A personal return link (server/http/return-links.ts) lands on the invite page, which signs in.
  ['/return/:token', 'invite.html'],
  ['/workspace', 'workspace.html'],
  // Linked from email digests; confirming there posts to /api/email/unsubscribe.
  ['/unsubscribe', 'unsubscribe.html']
]

/** A mail client's RFC 8058 one-click unsubscribe: a form post to the unsubscribe route. */
const isOneClickUnsubscribe = (req: IncomingMessage): boolean =>
  (req.url ?? '').startsWith('/email/unsubscribe') && (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')

/** Largest JSON body the API accepts. */
export const MAX_JSON_BYTES = 64 * 1024

/** Builds the express app. */
export function createApp(deps: AppDeps): Express {
  const app = express()
  app.disable('x-powered-by')
  app.set('trust proxy', deps.trustProxy)
  // First, so every response carries them: pages, static files, API answers and errors.
  app.use(securityHeaders())
  const appRoutes = declareRoutes(app)

  appRoutes.get('/healthz', PUBLIC, (_req, res) => {
    res.json({ status: 'ok' })
  })
  appRoutes.get('/readyz', PUBLIC, async (_req, res) => {
    try {
      await deps.storage.docs.ping()
      await deps.review.ping()
      res.json({ status: 'ready' })
    } catch (err) {
      deps.log.warn({ err }, 'readiness check failed')
      res.status(503).json({ error: { code: 'storage_unavailable', message: 'storage is not reachable' } })
    }
  })

  const api = express.Router()
  // Credentials and CSRF first: an anonymous or forged request is refused before its body is read.
  api.use(authenticate(deps.auth.authenticator))
  api.use(csrfGuard(SIGN_IN_PATHS))
  // Every body is JSON, except a mail client's one-click unsubscribe (RFC 8058 posts the form
  // `List-Unsubscribe=One-Click`; its token is in the query), which is left unread.
  api.use(express.json({ limit: MAX_JSON_BYTES, strict: true, type: (req) => !isOneClickUnsubscribe(req) }))
  api.use('/auth', authRouter(deps.auth))
  api.use('/specs', specsRouter(deps.storage.specs, deps.storage.docs, deps.rooms, deps.auth.access, (id, specIds) => deps.answers.unreadBySpec(id, specIds)))
  api.use('/specs', decisionsRouter(deps.storage.specs, deps.review, deps.events))
  const panelNames = async (ids: string[]): Promise<Map<string, string>> => {
    const panels = await Promise.all(ids.map((id) => deps.storage.identity.getPanel(id)))
    return new Map(panels.flatMap((p) => (p ? [[p.id, p.name] as [string, string]] : [])))
  }
  api.use('/specs', contributionsRouter(deps.storage.specs, deps.contributions, deps.review, deps.rooms, deps.auth.access, deps.answers, deps.auth.aliases, panelNames))
  api.use('/specs', removalsRouter({ specs: deps.storage.specs, removals: deps.removals, review: deps.review, rooms: deps.rooms, access: deps.auth.access, events: deps.events, aliases: deps.auth.aliases }))
  api.use('/specs', answersRouter(deps.storage.specs, deps.auth.access, deps.answers))
  api.use('/specs', reviewSettingsRouter(deps.storage.specs, deps.auth.access, deps.answers.store, deps.events))
  api.use(emailDigestRouter(deps.answers.store, deps.unsubscribe))
  api.use('/specs', exportSettingsRouter(deps.storage.specs, deps.auth.access, deps.answers.store))
  api.use(exportsRouter({ specs: deps.storage.specs, access: deps.auth.access, settings: deps.answers.store, ...deps.exports }))
  api.use(
    '/specs',
    threadsRouter({
      specs: deps.storage.specs,
      threads: deps.threads,
      contributions: deps.contributions,
      rooms: deps.rooms,
      access: deps.auth.access,
      events: deps.events,
      names: namesIn(deps.storage.identity),
      aliases: deps.auth.aliases
    })
  )
  api.use('/members', membersRouter(deps.auth))
  api.use('/panels', panelsRouter(deps.auth))
  api.use('/panels', mergesRouter(deps.auth))
  api.use('/invites', invitesRouter(deps.auth))
  api.use(returnLinksRouter(deps.auth))
  api.use('/tokens', tokensRouter(deps.auth))
  api.use(notFound)
  app.use('/api', api)

  const clientDir = deps.clientDir
  if (clientDir && fs.existsSync(path.join(clientDir, 'index.html'))) {
    app.use(express.static(clientDir, { index: 'index.html', maxAge: '1h', setHeaders: noCacheHtml }))
    for (const [route, file] of PAGES) {
      if (!fs.existsSync(path.join(clientDir, file))) continue
      // Pages are public; what they show comes from the API, which checks every call.
      appRoutes.get(route, PUBLIC, (_req, res) => {
        res.setHeader('Cache-Control', 'no-cache')
        // The invite token sits in the path: Referrer-Policy no-referrer (security-headers.ts)
        // keeps it out of every Referer header.
        res.sendFile(path.join(clientDir, file))
      })
    }
  } else {
    appRoutes.get('/', PUBLIC, () => {
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
