/**
 * `/api/specs/:id/decisions`: the decisions ledger of one spec. Reading it, verifying it and
 * recording a decision all need `spec:review` (shared/permissions.ts: team and facilitators),
 * checked from the caller's credentials, never from anything the body says; other roles get
 * 403 `forbidden`. The decider, their role and the time are the server's, not the client's.
 * An unknown or deleted spec answers 404 `spec_not_found`; its ledger stays in storage.
 */
import { Router, type Request } from 'express'
import { createDecisionBody, type CreateDecisionResponse, type DecisionsResponse, type VerifyResponse } from '../../shared/api-review.js'
import type { SpecStore } from '../storage/doc-store.js'
import { SPEC_ID_PATTERN } from '../storage/ids.js'
import type { ReviewStore } from '../review/review-store.js'
import type { ReviewEvents } from '../review/review-events.js'
import { summarise, verifyChain } from '../review/ledger.js'
import { param, principalOf } from './auth-middleware.js'
import { declareRoutes } from './routes.js'
import { HttpError } from './errors.js'

const specNotFound = (): HttpError => new HttpError(404, 'spec_not_found', 'spec not found')

/** Routes of the decisions ledger, mounted under `/api/specs`. */
export function decisionsRouter(specs: SpecStore, review: ReviewStore, events: ReviewEvents): Router {
  const routes = declareRoutes(Router())

  /** The spec id of the path, if it names a live spec; else 404. */
  async function liveSpec(req: Request): Promise<string> {
    const id = param(req, 'id')
    if (!SPEC_ID_PATTERN.test(id) || !(await specs.get(id))) throw specNotFound()
    return id
  }

  routes.get('/:id/decisions', 'spec:review', async (req, res) => {
    const specId = await liveSpec(req)
    // One read: current and counts derived from it agree with the history shown beside them.
    const history = await review.history(specId)
    const body: DecisionsResponse = { specId, ...summarise(history), history, head: history.at(-1)?.hash ?? null }
    res.json(body)
  })

  routes.get('/:id/decisions/verify', 'spec:review', async (req, res) => {
    const specId = await liveSpec(req)
    const body: VerifyResponse = verifyChain(specId, await review.history(specId))
    res.json(body)
  })

  routes.post('/:id/decisions', 'spec:review', async (req, res) => {
    const principal = principalOf(res)
    const specId = await liveSpec(req)
    const body = createDecisionBody.parse(req.body ?? {})
    const role = principal.role
    // The route's 'spec:review' guard has let only team roles through; this narrows the type and
    // would catch a matrix change that let someone else review without deciding what they record.
    if (role !== 'facilitator' && role !== 'team') throw new HttpError(403, 'forbidden', `your role (${role}) may not decide`)
    const decision = await review.append({ specId, ...body, decidedBy: principal.participantId, role })
    events.publish(specId, 'decisions')
    const out: CreateDecisionResponse = { decision }
    res.status(201).json(out)
  })

  return routes.router
}
