/**
 * Personal return links (issue 9): an invitee (customer or viewer) has no password, so signing
 * out would make them a stranger. Each invitee may hold one link, `/return/<token>`, that signs
 * a browser in as them again.
 *
 * Rules:
 * - the token is shown once, when made; the store keeps only its hash ([I16]), so a new link
 *   (on join or on demand) revokes the old one, and the holder can revoke it outright;
 * - only invitees have one: team members have a password, API tokens no browser;
 * - coming back never keeps a session from the request (like accepting an invite): the session
 *   the browser held ends and a fresh one is issued; attempts are rate-limited like sign-in,
 *   and an unknown or revoked token answers 404 alike.
 */
import { Router, type Request } from 'express'
import { returnLinkBody, type ReturnLinkResponse } from '../../shared/api-identity.js'
import type { Auth } from '../auth/auth-service.js'
import { hashSecret, newSecret } from '../identity/secrets.js'
import { authOf, principalOf, requireJson } from './auth-middleware.js'
import { HttpError } from './errors.js'
import { declareRoutes, PUBLIC, SIGNED_IN } from './routes.js'
import { publicOrigin, signIn } from './session-response.js'

/** The path of the sign-in-through-return-link call (it signs in, so it skips CSRF). */
export const RETURN_SIGN_IN_PATH = '/auth/return'

/**
 * Makes a new return link for `participantId`, revoking any earlier one, and answers its URL
 * (the only time the token exists outside the holder's hands).
 */
export async function issueReturnLink(auth: Auth, req: Request, participantId: string): Promise<string> {
  const token = newSecret()
  await auth.store.setReturnLink(participantId, hashSecret(token))
  return `${publicOrigin(auth, req)}/return/${token}`
}

/** Routes under `/api`: `/me/return-link` and `/auth/return`. */
export function returnLinksRouter(auth: Auth): Router {
  const routes = declareRoutes(Router())

  routes.post('/me/return-link', SIGNED_IN, async (req, res) => {
    const me = principalOf(res)
    if (me.kind !== 'invitee') throw new HttpError(409, 'not_an_invitee', 'only invited customers and viewers have a return link')
    const body: ReturnLinkResponse = { url: await issueReturnLink(auth, req, me.participantId) }
    res.status(201).json(body)
  })

  routes.delete('/me/return-link', SIGNED_IN, async (_req, res) => {
    const me = principalOf(res)
    if (me.kind !== 'invitee') throw new HttpError(409, 'not_an_invitee', 'only invited customers and viewers have a return link')
    await auth.store.deleteReturnLink(me.participantId)
    res.status(204).end()
  })

  routes.post(RETURN_SIGN_IN_PATH, PUBLIC, requireJson, async (req, res) => {
    const { token } = returnLinkBody.parse(req.body)
    const ip = req.ip ?? 'unknown'
    // Counted before anything is awaited, like sign-in (see AttemptLimiter).
    const attempt = auth.loginThrottle.begin({ perAccount: `return|${ip}`, perIp: ip, perEmail: `return|${ip}` })
    const participantId = await auth.store.participantOfReturnLink(hashSecret(token))
    if (!participantId) {
      auth.log.info({ ip }, 'unknown or revoked return link')
      throw new HttpError(404, 'return_link_not_found', 'this return link does not work any more; ask your facilitator for a new invite')
    }
    attempt.succeeded()
    const previous = authOf(res)
    // signIn ends the session this browser held; sockets of whoever held it are re-checked.
    await signIn(auth, req, res, participantId)
    auth.log.info({ participantId }, 'invitee came back through their return link')
    if (previous && previous.principal.participantId !== participantId) auth.events.emit([previous.principal.participantId])
  })

  return routes.router
}
