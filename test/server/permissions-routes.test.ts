/**
 * The HTTP permission matrix generated from the route declarations (server/http/routes.ts) and
 * the matrix (shared/permissions.ts): every route the express app holds must declare what it
 * requires, and for every /api route x every role (by session and by API token) x anonymous,
 * the answer is a refusal (401 `unauthenticated`, 403 `forbidden`) exactly when the declaration
 * and PERMISSIONS say so. A new route or action is covered without editing this file.
 * Scoping (which specs a customer sees) stays in the hand-written permissions-http.test.ts.
 */
import express, { Router, type Express } from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { configWith } from '../../server/config.js'
import { startService, type Service } from '../../server/service.js'
import { declareRoutes, listRoutes, PUBLIC, SIGNED_IN, type ListedRoute } from '../../server/http/routes.js'
import { ACTIONS, can, ROLES, seesAllSpecs, type Role } from '../../shared/permissions.js'
import { fetchAs, signInAs, tokenAs, type Caller } from '../helpers/auth.js'
import { createSpec } from '../helpers/server.js'

/** Stands in for every path parameter: well-formed, names nothing. */
const UNKNOWN_ID = 'zzunknownzz1'

const concrete = (path: string): string => path.replace(/:[A-Za-z_]+/g, UNKNOWN_ID)

describe('route declarations', () => {
  let service: Service
  let routes: ListedRoute[]
  beforeAll(async () => {
    service = await startService(configWith({ port: 0, host: '127.0.0.1', storage: 'memory', logLevel: 'silent' }))
    routes = listRoutes(service.server.listeners('request')[0] as Express)
  })
  afterAll(() => service.stop())

  it('finds routes registered without a declaration (positive control of the walk)', () => {
    const app = express()
    const plain = Router()
    plain.get('/plain/:id', (_req, res) => res.end())
    const declared = declareRoutes(Router())
    declared.post('/declared', 'spec:create', (_req, res) => res.end())
    const nested = Router()
    nested.use('/inner', declared.router)
    app.use('/api', plain)
    app.use('/api', nested)
    expect(listRoutes(app)).toEqual([
      { method: 'GET', path: '/api/plain/:id', access: null },
      { method: 'POST', path: '/api/inner/declared', access: 'spec:create' }
    ])
  })

  it('every route of the app declares what it requires', () => {
    expect(routes.length).toBeGreaterThan(30)
    expect(routes.filter((r) => r.access === null).map((r) => `${r.method} ${r.path}`)).toEqual([])
    // Declarations name only actions the matrix knows.
    for (const r of routes) expect([PUBLIC, SIGNED_IN, ...ACTIONS], `${r.method} ${r.path}`).toContain(r.access)
    expect(routes).toContainEqual({ method: 'GET', path: '/api/specs', access: 'spec:list' })
    expect(routes).toContainEqual({ method: 'GET', path: '/healthz', access: PUBLIC })
  })

  it('the public and signed-in-only API is exactly the sign-in, setup and invite surface', () => {
    const api = routes.filter((r) => r.path.startsWith('/api/'))
    const named = (access: string) => api.filter((r) => r.access === access).map((r) => `${r.method} ${r.path}`).sort()
    expect(named(PUBLIC)).toEqual([
      'GET /api/auth/setup-status',
      'GET /api/auth/signup/:token',
      // The unsubscribe link of email digests: its signed token is its only credential.
      'GET /api/email/unsubscribe',
      'GET /api/invites/:token',
      'POST /api/auth/login',
      'POST /api/auth/logout',
      'POST /api/auth/return',
      'POST /api/auth/setup',
      'POST /api/auth/signup',
      'POST /api/email/unsubscribe',
      'POST /api/invites/:token/accept'
    ])
    expect(named(SIGNED_IN)).toEqual([
      'DELETE /api/me/return-link',
      'GET /api/auth/me',
      'GET /api/me/email-digest',
      'POST /api/auth/password',
      'POST /api/me/return-link',
      'PUT /api/me/email-digest'
    ])
  })

  it('answers every /api route x role x credential as its declaration and PERMISSIONS say', async () => {
    const specA = await createSpec(service, 'Spec A')
    const panelA = (await signInAs(service, 'customer', { panelSpecIds: [specA] })).panelId!
    const api = routes.filter((r) => r.path.startsWith('/api/'))
    const failures: string[] = []
    let cells = 0
    for (const route of api) {
      // Fresh sessions per route: a route may end the session it is called with (sign-out).
      const callers: Array<{ name: string; role: Role | null; caller: Caller }> = [{ name: 'anonymous', role: null, caller: null }]
      for (const role of ROLES) {
        const session = await signInAs(service, role, seesAllSpecs(role) ? {} : { panelId: panelA })
        callers.push({ name: `${role} session`, role, caller: session })
        callers.push({ name: `${role} token`, role, caller: { bearer: (await tokenAs(service, role, seesAllSpecs(role) ? [] : [panelA])).secret } })
      }
      for (const { name, role, caller } of callers) {
        const access = route.access!
        const expectRefusal =
          access === PUBLIC ? null
          : role === null ? 401
          : access === SIGNED_IN ? null
          : can(role, access) ? null
          : 403
        const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : {}
        const res = await fetchAs(service, caller, route.method, concrete(route.path), body)
        const code: unknown = res.body?.error?.code
        const refused = (res.status === 401 && code === 'unauthenticated') || (res.status === 403 && code === 'forbidden')
        const cell = `${route.method} ${route.path} (${access}) as ${name}: ${res.status} ${String(code ?? '')}`
        cells++
        if (expectRefusal === null && refused) failures.push(`${cell}, expected to pass the permission check`)
        if (expectRefusal !== null && res.status !== expectRefusal) failures.push(`${cell}, expected ${expectRefusal}`)
        if (expectRefusal !== null && !refused) failures.push(`${cell}, expected ${expectRefusal === 401 ? 'unauthenticated' : 'forbidden'}`)
      }
    }
    expect(cells).toBeGreaterThan(300)
    expect(failures).toEqual([])
  })
})
