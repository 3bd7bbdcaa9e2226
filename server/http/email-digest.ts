/**
 * The email digest switch: `GET` and `PUT /api/me/email-digest { enabled }` read and set the
 * caller's own setting (any signed-in caller; nothing names another person), and `GET
 * /api/email/unsubscribe?token=…` switches a participant's digests off from the link in a
 * digest. That route is public: the link is opened from a mail client, often signed out; the
 * signed token (server/notify/unsubscribe-tokens.ts) is the only credential and can do nothing
 * else. A missing or bad token is 400 `invalid_token` and changes nothing.
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

  routes.get('/email/unsubscribe', PUBLIC, async (req, res) => {
    const token = req.query.token
    const participantId = typeof token === 'string' ? tokens.verify(token) : null
    if (participantId === null) throw new HttpError(400, 'invalid_token', 'the unsubscribe link is not valid')
    await store.setDigestEnabled(participantId, false)
    const body: EmailDigestResponse = { enabled: false }
    res.json(body)
  })

  return routes.router
}
