/**
 * `GET /api/specs/:id/contributions`: the contributions of one spec (server/review/
 * contributions.ts) with their current decision, and counts by decision state in all, per panel
 * and per participant. Declared `spec:read`, then narrowed: team roles (`spec:review`) get every
 * contribution; a customer gets their own, plus other customers' decided contributions (with
 * their decisions and notes) when the spec's decisions are public (review settings), and the
 * counts are over what they get; a viewer gets 403 `forbidden`. A spec the caller cannot see, or that does not exist, is 404
 * `spec_not_found`. The list is brought up to date first (a live room records what was
 * written since its last debounced pass), and each contribution says where it is now (`pieces`),
 * who wrote it (`displayName`, as named now) and how many comments its threads hold.
 */
import { Router } from 'express'
import { type ContributionCounts, type ContributionsResponse, type ContributionView, type DecisionEntry } from '../../shared/api-review.js'
import { can } from '../../shared/permissions.js'
import type { SpecStore } from '../storage/doc-store.js'
import { SPEC_ID_PATTERN } from '../storage/ids.js'
import type { ReviewStore } from '../review/review-store.js'
import { byCreation, type ContributionStore } from '../review/contribution-store.js'
import type { RoomRegistry } from '../sync/rooms.js'
import type { AccessControl } from '../auth/access-control.js'
import { param, principalOf } from './auth-middleware.js'
import { declareRoutes } from './routes.js'
import { HttpError } from './errors.js'
import { zeroCounts } from '../review/ledger.js'
import { UNKNOWN_NAME, type AnswersService } from '../review/answers-service.js'
import { commentCounts } from '../review/answers.js'
import type { AliasLookup } from '../identity/aliases.js'

const specNotFound = (): HttpError => new HttpError(404, 'spec_not_found', 'spec not found')

const emptyCounts = (): ContributionCounts => ({ total: 0, byState: zeroCounts() })

/** Routes of contributions, mounted under `/api/specs`. */
export function contributionsRouter(
  specs: SpecStore,
  contributions: ContributionStore,
  review: ReviewStore,
  rooms: RoomRegistry,
  access: AccessControl,
  answers: AnswersService,
  /** Recorded merges: a merged-away author's contributions are listed as the survivor's. */
  aliases: AliasLookup,
  /** Panel names by id (the identity store), for team readers. */
  panelNames: (panelIds: string[]) => Promise<Map<string, string>>
): Router {
  const routes = declareRoutes(Router())

  routes.get('/:id/contributions', 'spec:read', async (req, res) => {
    const principal = principalOf(res)
    const specId = param(req, 'id')
    if (!SPEC_ID_PATTERN.test(specId) || !(await specs.get(specId)) || (await access.accessTo(principal, specId)) === 'none') throw specNotFound()
    const all = can(principal.role, 'spec:review')
    const role = all ? principal.role : await access.roleOnSpec(principal, specId)
    if (!all && role !== 'customer') throw new HttpError(403, 'forbidden', `your role (${role ?? principal.role}) may not list contributions`)
    // Flushes the room's pending pass first, so the list below holds everything written.
    const pieces = await rooms.contributionPieces(specId)
    const everyone = all || (await answers.store.decisionsPublic(specId))
    const decided = new Map<string, DecisionEntry>((await review.current(specId)).map((e) => [e.subjectId, e]))
    const me = principal.participantId
    // Stored authors stay as first saved ([K1]); a merged-away one reads as the survivor.
    const stored = everyone ? await contributions.list(specId) : (await Promise.all(aliases.idsOf(me).map((id) => contributions.list(specId, id)))).flat()
    const records = stored
      .map((r) => ({ ...r, participantId: aliases.resolve(r.participantId) }))
      .filter((r) => all || r.participantId === me || decided.has(r.id))
      .sort(byCreation)
    const [names, comments] = await Promise.all([answers.names(records.map((r) => r.participantId)), answers.threads(specId).then(commentCounts)])
    const body: ContributionsResponse = { specId, contributions: [], counts: emptyCounts(), byPanel: {}, byParticipant: {}, panelNames: {} }
    const bump = (map: Record<string, ContributionCounts>, key: string, view: ContributionView): void => {
      const c = (map[key] ??= emptyCounts())
      c.total++
      c.byState[view.state]++
    }
    for (const r of records) {
      const decision = decided.get(r.id) ?? null
      const view: ContributionView = {
        id: r.id,
        participantId: r.participantId,
        displayName: names.get(r.participantId) ?? UNKNOWN_NAME,
        // Panels are the facilitators' business: a customer sees none on other people's ideas.
        panelIds: all || r.participantId === me ? r.panelIds : [],
        createdAt: r.createdAt,
        updatedAt: r.updatedAt,
        excerpt: r.excerpt,
        chars: r.chars,
        state: decision?.state ?? 'new',
        decision,
        pieces: pieces.get(r.id) ?? [],
        comments: comments.get(r.id) ?? 0
      }
      body.contributions.push(view)
      body.counts.total++
      body.counts.byState[view.state]++
      for (const panel of view.panelIds.length > 0 ? view.panelIds : ['']) bump(body.byPanel, panel, view)
      bump(body.byParticipant, r.participantId, view)
    }
    // Team members who may not manage panels still review by panel: they get the names here.
    if (all) body.panelNames = Object.fromEntries(await panelNames(Object.keys(body.byPanel).filter((id) => id !== '')))
    res.json(body)
  })

  return routes.router
}
