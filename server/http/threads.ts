/**
 * `/api/specs/:id/threads`: comment threads anchored to a range of a spec's text (shared/
 * api-threads.ts, README "HTTP API"). Every route is declared `spec:comment` (anyone who can
 * read the spec, viewers included) and narrowed by spec scoping: a spec the caller cannot see,
 * or that does not exist, is 404 `spec_not_found` (customers and viewers see only specs their
 * panels are invited to).
 *
 * Authority comes from the caller's credentials, never from the body: the author, their role on
 * the spec, the time, the ids and the quoted text are the server's. Resolving or reopening a
 * thread someone else started needs `spec:resolve-any` (team roles), else 403 `forbidden`, so a
 * customer can't close a team member's thread. A `contributionId` must name a contribution of
 * the spec (404 `contribution_not_found`), and a caller without `spec:review` may attach a
 * thread to their own contribution only (403 `forbidden`). Anchors are checked against the live
 * doc (server/review/thread-anchors.ts: 400 `invalid_anchor`, `empty_range`, `range_too_long`);
 * limits answer 409 `limit_reached`, and a server whose room limit is reached 503 `too_many_rooms`. Every change publishes the topic `threads`.
 */
import { randomBytes } from 'node:crypto'
import { Router, type Request, type Response } from 'express'
import { createThreadBody, emptyBody, replyBody, THREAD_ID_PATTERN, type ThreadResponse, type ThreadsResponse, type ThreadStatus, type ThreadView } from '../../shared/api-threads.js'
import type { Principal } from '../../shared/identity.js'
import { can, type Role } from '../../shared/permissions.js'
import type { SpecStore } from '../storage/doc-store.js'
import { SPEC_ID_PATTERN } from '../storage/ids.js'
import type { ContributionStore } from '../review/contribution-store.js'
import type { ReviewEvents } from '../review/review-events.js'
import { AnchorError, decodeRuns, DocIndex, encodeRuns } from '../review/thread-anchors.js'
import { ThreadLimitError, type ThreadRecord, type ThreadStore } from '../review/thread-store.js'
import { cut, participantsOf, threadViews, type NameLookup } from '../review/thread-views.js'
import { RoomLimitError, type RoomRegistry } from '../sync/rooms.js'
import type { AccessControl } from '../auth/access-control.js'
import { param, principalOf } from './auth-middleware.js'
import { declareRoutes } from './routes.js'
import { HttpError } from './errors.js'
import { NO_ALIASES, type AliasLookup } from '../identity/aliases.js'

/** What the thread routes work with. */
export interface ThreadsDeps {
  specs: SpecStore
  threads: ThreadStore
  contributions: ContributionStore
  rooms: RoomRegistry
  access: AccessControl
  events: ReviewEvents
  /** Current display names (the store keeps ids only). */
  names: NameLookup
  /** Recorded merges: a merged-away participant's threads and comments are the survivor's. Default: none. */
  aliases?: AliasLookup
}

/** The caller, the spec and the caller's role on it. */
interface Caller {
  principal: Principal
  specId: string
  role: Role
}

const newId = (prefix: string): string => prefix + randomBytes(16).toString('base64url')

/** Runs `work`, turning anchor and limit failures into their HTTP answers. */
async function domain<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (err) {
    if (err instanceof AnchorError) throw new HttpError(400, err.code, err.message)
    if (err instanceof ThreadLimitError) throw new HttpError(409, 'limit_reached', err.message)
    if (err instanceof RoomLimitError) throw new HttpError(503, 'too_many_rooms', err.message)
    throw err
  }
}

/** Routes of threads, mounted under `/api/specs`. */
export function threadsRouter(deps: ThreadsDeps): Router {
  const routes = declareRoutes(Router())
  const { threads, rooms, events } = deps
  const aliases = deps.aliases ?? NO_ALIASES

  /** The caller and the spec of the path, if they may see it; else 404. */
  async function caller(req: Request, res: Response): Promise<Caller> {
    const principal = principalOf(res)
    const specId = param(req, 'id')
    const role = SPEC_ID_PATTERN.test(specId) && (await deps.specs.get(specId)) ? await deps.access.roleOnSpec(principal, specId) : null
    if (role === null) throw new HttpError(404, 'spec_not_found', 'spec not found')
    return { principal, specId, role }
  }

  /** The thread of the path, else 404 `thread_not_found`. */
  async function thread(req: Request, specId: string): Promise<ThreadRecord> {
    const id = param(req, 'threadId')
    const found = THREAD_ID_PATTERN.test(id) ? await threads.get(specId, id) : null
    if (!found) throw new HttpError(404, 'thread_not_found', 'thread not found')
    return found
  }

  /** Views of `records` with their current text, read from the live doc. */
  async function present(specId: string, records: ThreadRecord[]): Promise<ThreadView[]> {
    const texts = await domain(() =>
      rooms.withDoc(specId, (doc, origins) => {
        const index = new DocIndex(doc, origins)
        return records.map((r) => index.textOf(decodeRuns(r.anchored)))
      })
    )
    const resolved = records.map((r) => resolveThread(r, aliases))
    return threadViews(resolved, texts, await deps.names(participantsOf(resolved)))
  }

  /** 404 unless `contributionId` is a contribution of the spec; 403 if it is not the caller's to discuss. */
  async function checkContribution(c: Caller, contributionId: string): Promise<void> {
    await rooms.flushContributions(c.specId)
    const found = (await deps.contributions.list(c.specId)).find((r) => r.id === contributionId)
    const mayAll = can(c.role, 'spec:review')
    // A contribution the caller may not see is answered like a missing one.
    const author = found ? aliases.resolve(found.participantId) : null
    if (!found || (!mayAll && author !== c.principal.participantId && c.role !== 'customer')) {
      throw new HttpError(404, 'contribution_not_found', 'contribution not found')
    }
    if (!mayAll && author !== c.principal.participantId) throw new HttpError(403, 'forbidden', 'you may start threads only on your own contributions')
  }

  routes.get('/:id/threads', 'spec:comment', async (req, res) => {
    const { specId } = await caller(req, res)
    const body: ThreadsResponse = { specId, threads: await present(specId, await threads.list(specId)) }
    res.json(body)
  })

  routes.post('/:id/threads', 'spec:comment', async (req, res) => {
    const c = await caller(req, res)
    const body = createThreadBody.parse(req.body ?? {})
    if (body.contributionId !== undefined) await checkContribution(c, body.contributionId)
    const range = await domain(() => rooms.withDoc(c.specId, (doc, origins) => new DocIndex(doc, origins).range(body.start, body.end)))
    const at = new Date().toISOString()
    const record = await domain(() =>
      threads.create({
        specId: c.specId,
        id: newId('t'),
        contributionId: body.contributionId ?? null,
        start: body.start,
        end: body.end,
        anchored: encodeRuns(range.runs),
        quote: cut(range.text),
        createdBy: c.principal.participantId,
        createdRole: c.role,
        createdAt: at,
        comment: { id: newId('m'), authorId: c.principal.participantId, role: c.role, body: body.body, createdAt: at }
      })
    )
    events.publish(c.specId, 'threads')
    const out: ThreadResponse = { thread: (await present(c.specId, [record]))[0]! }
    res.status(201).json(out)
  })

  routes.post('/:id/threads/:threadId/replies', 'spec:comment', async (req, res) => {
    const c = await caller(req, res)
    const body = replyBody.parse(req.body ?? {})
    const target = await thread(req, c.specId)
    const comment = { id: newId('m'), authorId: c.principal.participantId, role: c.role, body: body.body, createdAt: new Date().toISOString() }
    const record = await domain(() => threads.reply(c.specId, target.id, comment))
    if (!record) throw new HttpError(404, 'thread_not_found', 'thread not found')
    events.publish(c.specId, 'threads')
    const out: ThreadResponse = { thread: (await present(c.specId, [record]))[0]! }
    res.status(201).json(out)
  })

  const setStatus = (status: ThreadStatus) => async (req: Request, res: Response) => {
    const c = await caller(req, res)
    emptyBody.parse(req.body ?? {})
    const target = await thread(req, c.specId)
    if (aliases.resolve(target.createdBy) !== c.principal.participantId && !can(c.role, 'spec:resolve-any')) {
      throw new HttpError(403, 'forbidden', `your role (${c.role}) may ${status === 'resolved' ? 'resolve' : 'reopen'} only threads you started`)
    }
    const result = await threads.setStatus(c.specId, target.id, { status, by: c.principal.participantId, role: c.role, at: new Date().toISOString() })
    if (!result) throw new HttpError(404, 'thread_not_found', 'thread not found')
    if (result.changed) events.publish(c.specId, 'threads')
    const out: ThreadResponse = { thread: (await present(c.specId, [result.thread]))[0]! }
    res.json(out)
  }
  routes.post('/:id/threads/:threadId/resolve', 'spec:comment', setStatus('resolved'))
  routes.post('/:id/threads/:threadId/reopen', 'spec:comment', setStatus('open'))

  return routes.router
}

/** `r` with every participant it names as they are now (recorded merges); the store keeps the ids as written. */
function resolveThread(r: ThreadRecord, aliases: AliasLookup): ThreadRecord {
  return {
    ...r,
    createdBy: aliases.resolve(r.createdBy),
    resolvedBy: r.resolvedBy === null ? null : aliases.resolve(r.resolvedBy),
    comments: r.comments.map((c) => ({ ...c, authorId: aliases.resolve(c.authorId) }))
  }
}
