/**
 * `/api/tokens` (facilitators): API tokens for scripts and integrations. The secret is shown
 * once at creation; deleting a token revokes it and closes the sockets it opened.
 */
import { Router } from 'express'
import { createTokenBody, type TokenMeta } from '../../shared/api-identity.js'
import type { Auth } from '../auth/auth-service.js'
import { IdentityError } from '../identity/errors.js'
import { createApiToken } from '../identity/operations.js'
import type { IdentityStore, TokenRecord } from '../identity/identity-store.js'
import { param, principalOf } from './auth-middleware.js'
import { declareRoutes } from './routes.js'

async function toMeta(store: IdentityStore, t: TokenRecord): Promise<TokenMeta> {
  const { tokenHash: _hash, createdBy: _by, ...rest } = t
  return { ...rest, panelIds: (await store.membershipsOf(t.id)).map((m) => m.panelId) }
}

/** Routes under `/api/tokens`. */
export function tokensRouter(auth: Auth): Router {
  const routes = declareRoutes(Router())
  const { store } = auth

  routes.get('/', 'token:manage', async (_req, res) => {
    res.json({ tokens: await Promise.all((await store.listTokens()).map((t) => toMeta(store, t))) })
  })

  routes.post('/', 'token:manage', async (req, res) => {
    const body = createTokenBody.parse(req.body ?? {})
    const { token, secret } = await createApiToken(store, { ...body, createdBy: principalOf(res).participantId })
    res.status(201).json({ token: await toMeta(store, token), secret })
  })

  routes.delete('/:id', 'token:manage', async (req, res) => {
    const id = param(req, 'id')
    if (!(await store.revokeToken(id, new Date().toISOString()))) throw new IdentityError('token_not_found', 'token not found')
    auth.events.emit([id])
    res.status(204).end()
  })

  return routes.router
}
