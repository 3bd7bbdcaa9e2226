/**
 * `/api/specs/:id/removals`: customer words someone else deleted (server/review/removals.ts)
 * and their restore.
 *
 * - `GET /:id/removals`: declared `spec:read`, then narrowed: team roles (`spec:review`) get
 *   every removal; a customer gets the removals of their own words; a viewer gets 403
 *   `forbidden`. The list is brought up to date first (a live room stores removals after the
 *   deleting update committed).
 * - `POST /:id/removals/:removalId/restore` (`spec:restore`, team roles): puts the words back
 *   where they were, credited to their author, persisted and broadcast like any update
 *   (server/review/restore.ts). Only an `open` removal (or one a decision closed) can be
 *   restored; restoring it twice, or one whose words came back by themselves, is 409
 *   `already_restored`. The claim is a compare-and-set on the store ([M5]) made before the
 *   document changes, so two team members restoring at once put the words back once; if the
 *   restore fails, the claim is undone.
 * - `closed` and `decision` are derived on read from the decisions ledger: the latest decision
 *   on the removal's contribution recorded after the removal (removals.ts rule 7).
 *
 * A spec the caller cannot see, or that does not exist, is 404 `spec_not_found`; an unknown
 * removal is 404 `removal_not_found`. Who restored is the caller, never the body.
 */
import { Router, type Request } from 'express'
import { REMOVAL_ID_PATTERN, restoreBody, type Person, type RemovalsResponse, type RemovalView, type RestoreResponse } from '../../shared/api-removals.js'
import type { DecisionEntry } from '../../shared/api-review.js'
import { can, type Role } from '../../shared/permissions.js'
import type { Principal } from '../../shared/identity.js'
import type { SpecStore } from '../storage/doc-store.js'
import { SPEC_ID_PATTERN } from '../storage/ids.js'
import type { ReviewStore } from '../review/review-store.js'
import type { ReviewEvents } from '../review/review-events.js'
import { byRemoval, type RemovalRecord, type RemovalStore } from '../review/removal-store.js'
import type { RoomRegistry } from '../sync/rooms.js'
import type { AccessControl } from '../auth/access-control.js'
import { param, principalOf } from './auth-middleware.js'
import { declareRoutes } from './routes.js'
import { HttpError } from './errors.js'
import { NO_ALIASES, type AliasLookup } from '../identity/aliases.js'

/** What the removal routes need. */
export interface RemovalsRouteDeps {
  specs: SpecStore
  removals: RemovalStore
  review: ReviewStore
  rooms: RoomRegistry
  access: AccessControl
  events: ReviewEvents
  /** Recorded merges: removals of a merged-away author's words are the survivor's. Default: none. */
  aliases?: AliasLookup
}

const specNotFound = (): HttpError => new HttpError(404, 'spec_not_found', 'spec not found')
const removalNotFound = (): HttpError => new HttpError(404, 'removal_not_found', 'removal not found')
const alreadyRestored = (): HttpError => new HttpError(409, 'already_restored', 'these words are back already (restored, or returned by their remover)')

/** Routes of removals, mounted under `/api/specs`. */
export function removalsRouter(deps: RemovalsRouteDeps): Router {
  const routes = declareRoutes(Router())
  const aliases = deps.aliases ?? NO_ALIASES

  /** The spec id of the path, if `principal` can see that live spec; else 404. */
  async function visibleSpec(req: Request, principal: Principal): Promise<string> {
    const specId = param(req, 'id')
    if (!SPEC_ID_PATTERN.test(specId) || !(await deps.specs.get(specId)) || (await deps.access.accessTo(principal, specId)) === 'none') throw specNotFound()
    return specId
  }

  /** Removal views for `records`, with display names (looked up once each) and decisions. */
  async function views(specId: string, records: readonly RemovalRecord[]): Promise<RemovalView[]> {
    const history = records.some((r) => r.contributionId !== null) ? await deps.review.history(specId) : []
    const names = new Map<string, string>()
    const person = async (storedId: string, role: Role): Promise<Person> => {
      const participantId = aliases.resolve(storedId)
      if (!names.has(participantId)) names.set(participantId, (await deps.access.principalOf(participantId))?.displayName ?? participantId)
      return { participantId, displayName: names.get(participantId)!, role }
    }
    const out: RemovalView[] = []
    for (const r of records) {
      const decision = closingDecision(r, history)
      out.push({
        id: r.id,
        specId: r.specId,
        contributionId: r.contributionId,
        text: r.text,
        author: await person(r.authorId, r.authorRole),
        removedBy: await person(r.removedBy, r.removedByRole),
        removedAt: r.removedAt,
        status: r.status === 'open' && decision !== null ? 'closed' : r.status,
        restoredBy: r.restoredBy === null ? null : await person(r.restoredBy, r.restoredByRole ?? 'team'),
        restoredAt: r.restoredAt,
        decision
      })
    }
    return out
  }

  routes.get('/:id/removals', 'spec:read', async (req, res) => {
    const principal = principalOf(res)
    const specId = await visibleSpec(req, principal)
    const all = can(principal.role, 'spec:review')
    const role = all ? principal.role : await deps.access.roleOnSpec(principal, specId)
    if (!all && role !== 'customer') throw new HttpError(403, 'forbidden', `your role (${role ?? principal.role}) may not list removals`)
    await deps.rooms.flushRemovals(specId)
    const records = all
      ? await deps.removals.list(specId)
      : (await Promise.all(aliases.idsOf(principal.participantId).map((id) => deps.removals.list(specId, id)))).flat().sort(byRemoval)
    const body: RemovalsResponse = { specId, removals: await views(specId, records) }
    res.json(body)
  })

  routes.post('/:id/removals/:removalId/restore', 'spec:restore', async (req, res) => {
    const principal = principalOf(res)
    const specId = await visibleSpec(req, principal)
    restoreBody.parse(req.body ?? {})
    const removalId = param(req, 'removalId')
    if (!REMOVAL_ID_PATTERN.test(removalId)) throw removalNotFound()
    const found = await deps.removals.get(specId, removalId)
    if (found === null) throw removalNotFound()
    const role = principal.role
    // The route's guard let only team roles through; this narrows the type and would catch a
    // matrix change that let someone else restore.
    if (role !== 'facilitator' && role !== 'team') throw new HttpError(403, 'forbidden', `your role (${role}) may not restore`)
    const patch = { status: 'restored' as const, restoredBy: principal.participantId, restoredByRole: role, restoredAt: new Date().toISOString() }
    const claimed = await deps.removals.transition(specId, removalId, ['open'], patch)
    if (claimed === null) throw alreadyRestored()
    try {
      await deps.rooms.restore(specId, claimed, principal.participantId)
    } catch (err) {
      await deps.removals.transition(specId, removalId, ['restored'], { status: 'open', restoredBy: null, restoredByRole: null, restoredAt: null })
      throw err
    }
    deps.events.publish(specId, 'removals')
    const body: RestoreResponse = { removal: (await views(specId, [claimed]))[0]! }
    res.json(body)
  })

  return routes.router
}

/** The latest decision on `r`'s contribution recorded after `r` was removed, or null. */
function closingDecision(r: RemovalRecord, history: readonly DecisionEntry[]): DecisionEntry | null {
  if (r.contributionId === null) return null
  let found: DecisionEntry | null = null
  for (const e of history) if (e.subjectId === r.contributionId && e.decidedAt > r.removedAt) found = e
  return found
}
