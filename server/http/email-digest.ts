/**
 * The email digest switch: `GET` and `PUT /api/me/email-digest { enabled }` read and set the
 * caller's own setting (any signed-in caller; nothing names another person), and `POST
 * /api/email/unsubscribe?token=…` (or `{ token }`) switches a participant's digests off. That
 * route is public: it is used from a mail client, often signed out; the signed token
 * (server/notify/unsubscribe-tokens.ts) is the only credential and can do nothing else, so it
 * is exempt from the session's CSRF check (it does not act as the session). A missing or bad
 * token is 400 `invalid_token` and changes nothing.
 *
 * Why POST and a page: mail scanners and link previews open every link in a mail, so a GET
 * that unsubscribes switches people off who never asked. The mail links to the `/unsubscribe`
 * page, where the person confirms; mail clients that offer their own button post to this route
 * directly (`List-Unsubscribe-Post: List-Unsubscribe=One-Click`, RFC 8058). `GET` only sends
 * links of earlier digests on to that page.
 */
import { Router } from 'express'
import { emailDigestBody, type EmailDigestResponse } from '../../shared/api-answers.js'
import type { AnswersStore } from '../review/answers-store.js'
import type { UnsubscribeTokens } from '../notify/unsubscribe-tokens.js'
import { principalOf } from './auth-middleware.js'
import { declareRoutes, PUBLIC, SIGNED_IN } from './routes.js'
import { HttpError } from './errors.js'

/** Routes of the email digest switch, mounted under `/api`. */
export function emailDigestRouter(store: AnswersStore, tokens: UnsubscribeTokens): Router {
  const routes = declareRoutes(Router())

  routes.get('/me/email-digest', SIGNED_IN, async (_req, res) => {
    const body: EmailDigestResponse = { enabled: (await store.digest(principalOf(res).participantId)).enabled }
    res.json(body)
  })

  routes.put('/me/email-digest', SIGNED_IN, async (req, res) => {
    const principal = principalOf(res)
    const { enabled } = emailDigestBody.parse(req.body ?? {})
    await store.setDigestEnabled(principal.participantId, enabled)
    const body: EmailDigestResponse = { enabled }
    res.json(body)
  })

  routes.post('/email/unsubscribe', PUBLIC, async (req, res) => {
    const fromBody: unknown = typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>).token : undefined
    const token = typeof req.query.token === 'string' ? req.query.token : fromBody
    const participantId = typeof token === 'string' ? tokens.verify(token) : null
    if (participantId === null) throw new HttpError(400, 'invalid_token', 'the unsubscribe link is not valid')
    await store.setDigestEnabled(participantId, false)
    const body: EmailDigestResponse = { enabled: false }
    res.json(body)
  })

  // Links of digests sent before the page existed: changing nothing, on to the page.
  routes.get('/email/unsubscribe', PUBLIC, (req, res) => {
    const token = typeof req.query.token === 'string' ? req.query.token : ''
    res.redirect(303, `/unsubscribe?token=${encodeURIComponent(token)}`)
  })

  return routes.router
}
