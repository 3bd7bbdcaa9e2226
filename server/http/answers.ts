/**
 * `/api/specs/:id/answers`: the caller's answers in one spec (server/review/answers.ts says
 * what counts: decisions on their contributions, comments by others in their threads, removals
 * and restores of their words), each marked unread after their seen mark, and `POST
 * …/answers/seen` to move that mark. Any reader of the spec may call both (`spec:read`); the
 * reader is always the caller, from their credentials: no path or body names anyone else.
 * A spec the caller cannot see, or that does not exist, is 404 `spec_not_found`.
 */
import { Router } from 'express'
import { answersSeenBody, type AnswersResponse, type AnswersSeenResponse } from '../../shared/api-answers.js'
import type { SpecStore } from '../storage/doc-store.js'
import type { AccessControl } from '../auth/access-control.js'
import type { AnswersService } from '../review/answers-service.js'
import { declareRoutes } from './routes.js'
import { readableSpec } from './spec-access.js'

/** Routes of a reader's answers, mounted under `/api/specs`. */
export function answersRouter(specs: SpecStore, access: AccessControl, answers: AnswersService): Router {
  const routes = declareRoutes(Router())

  routes.get('/:id/answers', 'spec:read', async (req, res) => {
    const { principal, specId } = await readableSpec(req, res, specs, access)
    const body: AnswersResponse = await answers.list(specId, principal.participantId)
    res.json(body)
  })

  routes.post('/:id/answers/seen', 'spec:read', async (req, res) => {
    const { principal, specId } = await readableSpec(req, res, specs, access)
    const { upTo } = answersSeenBody.parse(req.body ?? {})
    const body: AnswersSeenResponse = { unread: await answers.markSeen(specId, principal.participantId, upTo) }
    res.json(body)
  })

  return routes.router
}
