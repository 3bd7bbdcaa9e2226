/**
 * `/api/auth`: first-run setup, sign-in, sign-out, who am I, password change, team sign-up
 * links and WebSocket tokens.
 */
import { Router } from 'express'
import {
  changePasswordBody,
  loginBody,
  setupBody,
  signupBody,
  wsTokenBody
} from '../../shared/api-identity.js'
import type { Auth } from '../auth/auth-service.js'
import { hashPassword, verifyAgainstDummy, verifyPassword } from '../auth/passwords.js'
import { IdentityError } from '../identity/errors.js'
import { findUsableMemberInvite, setPassword, signUp } from '../identity/operations.js'
import { authOf, param, principalOf, requireJson } from './auth-middleware.js'
import { declareRoutes, PUBLIC, SIGNED_IN } from './routes.js'
import { HttpError } from './errors.js'
import { clearSessionCookie, meResponse, signIn } from './session-response.js'

/** Paths under /api that sign in from a form and so skip the CSRF check (see csrfGuard). */
export const SIGN_IN_PATHS: ReadonlySet<string> = new Set(['/auth/login', '/auth/setup', '/auth/signup', '/auth/return', '/email/unsubscribe'])

/** Routes under `/api/auth`. */
export function authRouter(auth: Auth): Router {
  const routes = declareRoutes(Router())
  const { store } = auth

  routes.get('/setup-status', PUBLIC, async (_req, res) => {
    res.json({ needsSetup: await auth.firstRun.needsSetup() })
  })

  routes.post('/setup', PUBLIC, requireJson, async (req, res) => {
    const body = setupBody.parse(req.body)
    const account = await auth.firstRun.complete(body.token, body)
    auth.log.info({ participantId: account.id }, 'first facilitator created through the setup link')
    await signIn(auth, req, res, account.id, { status: 201 })
  })

  routes.post('/login', PUBLIC, requireJson, async (req, res) => {
    const body = loginBody.parse(req.body)
    const ip = req.ip ?? 'unknown'
    const email = body.email.toLowerCase()
    // Counted before anything is awaited, so a burst of concurrent guesses cannot all pass the
    // check while their password hashes are still being computed (see AttemptLimiter).
    const attempt = auth.loginThrottle.begin({ perAccount: `${email}|${ip}`, perIp: ip, perEmail: email }, ['perAccount'])
    const account = await store.getAccountByEmail(body.email)
    const ok = account ? await verifyPassword(body.password, account.passwordHash) : await verifyAgainstDummy(body.password)
    if (!account || !ok || account.deactivatedAt) {
      auth.log.info({ ip }, 'failed sign-in')
      throw new IdentityError('invalid_credentials', 'wrong email or password')
    }
    attempt.succeeded()
    await signIn(auth, req, res, account.id)
  })

  routes.post('/logout', PUBLIC, async (req, res) => {
    const current = authOf(res)
    if (current?.via === 'session') {
      await auth.sessions.end(current.secret)
      auth.events.emit([current.principal.participantId])
    }
    clearSessionCookie(req, res)
    res.status(204).end()
  })

  routes.get('/me', SIGNED_IN, (_req, res) => {
    const current = authOf(res)!
    res.json(meResponse(current.principal, current.via === 'session' ? current.session.csrfToken : null))
  })

  routes.post('/password', SIGNED_IN, async (req, res) => {
    const me = principalOf(res)
    const body = changePasswordBody.parse(req.body ?? {})
    const account = me.kind === 'account' ? await store.getAccount(me.participantId) : null
    if (!account) throw new IdentityError('not_an_account', 'only team accounts have a password')
    // A stolen session must not be able to guess the password (which outlives the session).
    const attempt = auth.passwordChangeThrottle.begin({ perAccount: account.id }, ['perAccount'])
    if (!(await verifyPassword(body.currentPassword, account.passwordHash))) {
      throw new IdentityError('invalid_credentials', 'the current password is wrong')
    }
    attempt.succeeded()
    // A new password ends every other session (someone else may know the old one).
    await setPassword(store, account.id, await hashPassword(body.newPassword))
    auth.events.emit([account.id])
    await signIn(auth, req, res, account.id)
  })

  routes.get('/signup/:token', PUBLIC, async (req, res) => {
    const invite = await findUsableMemberInvite(store, param(req, 'token'))
    res.json({ email: invite.email, displayName: invite.displayName, role: invite.role, purpose: invite.purpose })
  })

  routes.post('/signup', PUBLIC, requireJson, async (req, res) => {
    const body = signupBody.parse(req.body)
    // Checked before the (slow) hash so a dead link answers at once; signUp checks again.
    await findUsableMemberInvite(store, body.token)
    const account = await signUp(store, { token: body.token, passwordHash: await hashPassword(body.password) })
    auth.log.info({ participantId: account.id, role: account.role }, 'team member signed up')
    await signIn(auth, req, res, account.id, { status: 201 })
  })

  routes.post('/ws-token', 'spec:read', async (req, res) => {
    const me = principalOf(res)
    const { specId } = wsTokenBody.parse(req.body ?? {})
    // Unknown and forbidden specs answer alike, so nobody learns which ids exist.
    const spec = await auth.specs.get(specId)
    if (!spec || (await auth.access.accessTo(me, specId)) === 'none') throw new HttpError(404, 'spec_not_found', 'spec not found')
    res.json(auth.wsTokens.issue(me.participantId, specId))
  })

  return routes.router
}
