/**
 * `/api/specs/:id/review-settings`: how a spec's review shows to customers. Any reader of the
 * spec may read the settings (`spec:read`); changing them needs `spec:publish-decisions`
 * (facilitators), checked from the caller's credentials. A change publishes the `settings`
 * topic, so live clients re-read what they may now see. A spec the caller cannot see, or that
 * does not exist, is 404 `spec_not_found`.
 */
import { Router } from 'express'
import { reviewSettingsBody, type ReviewSettingsResponse } from '../../shared/api-answers.js'
import type { SpecStore } from '../storage/doc-store.js'
import type { AccessControl } from '../auth/access-control.js'
import type { AnswersStore } from '../review/answers-store.js'
import type { ReviewEvents } from '../review/review-events.js'
import { declareRoutes } from './routes.js'
import { readableSpec } from './spec-access.js'

/** Routes of review settings, mounted under `/api/specs`. */
export function reviewSettingsRouter(specs: SpecStore, access: AccessControl, store: AnswersStore, events: ReviewEvents): Router {
  const routes = declareRoutes(Router())

  routes.get('/:id/review-settings', 'spec:read', async (req, res) => {
    const { specId } = await readableSpec(req, res, specs, access)
    const body: ReviewSettingsResponse = { specId, decisionsPublic: await store.decisionsPublic(specId) }
    res.json(body)
  })

  routes.put('/:id/review-settings', 'spec:publish-decisions', async (req, res) => {
    const { specId } = await readableSpec(req, res, specs, access)
    const { decisionsPublic } = reviewSettingsBody.parse(req.body ?? {})
    await store.setDecisionsPublic(specId, decisionsPublic)
    events.publish(specId, 'settings')
    const body: ReviewSettingsResponse = { specId, decisionsPublic }
    res.json(body)
  })

  return routes.router
}
