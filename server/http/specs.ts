/**
 * `/api/specs`: list, create, get, rename, soft-delete. Every route needs a signed-in caller
 * and consults the permission matrix; customers and viewers see only their panels' specs, and
 * a spec someone may not see answers 404 exactly like a missing one, so ids do not leak.
 */
import { Router } from 'express'
import { CloseCode } from '../../shared/protocol.js'
import { createSpecBody, renameSpecBody, type Spec } from '../../shared/api.js'
import type { DocStore, SpecRecord, SpecStore } from '../storage/doc-store.js'
import { newSpecUpdates } from '../sync/spec-title.js'
import { SPEC_ID_PATTERN } from '../storage/ids.js'
import { RoomLimitError, type RoomRegistry } from '../sync/rooms.js'
import type { AccessControl } from '../auth/access-control.js'
import { principalOf } from './auth-middleware.js'
import { declareRoutes } from './routes.js'
import { HttpError } from './errors.js'

function specId(raw: string | string[] | undefined): string {
  const id = typeof raw === 'string' ? raw : ''
  if (!SPEC_ID_PATTERN.test(id)) throw new HttpError(404, 'spec_not_found', 'spec not found')
  return id
}

const notFound = (): HttpError => new HttpError(404, 'spec_not_found', 'spec not found')

/** Runs `work` on a live room; every loaded spec in use (MAX_OPEN_ROOMS) is 503: busy, not broken. */
async function inRoom<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (err) {
    if (err instanceof RoomLimitError) throw new HttpError(503, 'too_many_rooms', err.message)
    throw err
  }
}

/** A stored spec as the API shows it: the last editor named (shared/api.ts `Spec`). */
async function specView(record: SpecRecord, access: AccessControl): Promise<Spec> {
  const editor = record.lastEditedBy === null ? null : await access.principalOf(record.lastEditedBy)
  return { ...record, lastEditedBy: editor ? { participantId: editor.participantId, displayName: editor.displayName } : null }
}

/** Routes for spec metadata. Creating seeds the document; deleting closes its live connections. */
export function specsRouter(
  specs: SpecStore,
  docs: DocStore,
  rooms: RoomRegistry,
  access: AccessControl,
  /** The caller's unread answers per spec (server/review/answers-service.ts), for the list's badges. */
  unreadAnswers?: (participantId: string, specIds: string[]) => Promise<Map<string, number>>
): Router {
  const routes = declareRoutes(Router())

  routes.get('/', 'spec:list', async (_req, res) => {
    const visible = await access.visibleSpecIds(principalOf(res))
    const all = await specs.list()
    const shown = visible === 'all' ? all : all.filter((s) => visible.has(s.id))
    const unread = await unreadAnswers?.(principalOf(res).participantId, shown.map((s) => s.id))
    const views = await Promise.all(shown.map((s) => specView(s, access)))
    res.json({ specs: unread ? views.map((v) => ({ ...v, unreadAnswers: unread.get(v.id) ?? 0 })) : views })
  })

  routes.post('/', 'spec:create', async (req, res) => {
    const body = createSpecBody.parse(req.body ?? {})
    const spec = await specs.create(body.title)
    // Every spec starts from the same deterministic skeleton (title + paragraph), stored before
    // anyone can join, so clients never race to create it; then its title in the title block,
    // as its creator's words (server/sync/spec-title.ts rule 2).
    for (const { update, facts } of newSpecUpdates(spec.title, principalOf(res).participantId)) await docs.append(spec.id, update, facts)
    res.status(201).location(`/api/specs/${spec.id}`).json({ spec: await specView(spec, access) })
  })

  routes.get('/:id', 'spec:read', async (req, res) => {
    const id = specId(req.params.id)
    const spec = await specs.get(id)
    if (!spec || (await access.accessTo(principalOf(res), id)) === 'none') throw notFound()
    res.json({ spec: await specView(spec, access) })
  })

  routes.get('/:id/attribution', 'spec:read', async (req, res) => {
    const id = specId(req.params.id)
    const spec = await specs.get(id)
    if (!spec || (await access.accessTo(principalOf(res), id)) === 'none') throw notFound()
    const attribution = await inRoom(() => rooms.attribution(id))
    res.json({ specId: id, attribution })
  })

  routes.patch('/:id', 'spec:rename', async (req, res) => {
    const id = specId(req.params.id)
    const body = renameSpecBody.parse(req.body ?? {})
    if (!(await specs.get(id))) throw notFound()
    // The document first: its title block is the source of truth, and a concurrent edit of it
    // merges with this one; the metadata then follows the merged text (spec-title.ts).
    await inRoom(() => rooms.setTitle(id, body.title, principalOf(res).participantId))
    const spec = await specs.rename(id, body.title)
    if (!spec) throw notFound()
    res.json({ spec: await specView(spec, access) })
  })

  routes.delete('/:id', 'spec:delete', async (req, res) => {
    const id = specId(req.params.id)
    if (!(await specs.softDelete(id))) throw notFound()
    await rooms.closeRoom(id, CloseCode.specNotFound, 'spec deleted')
    res.status(204).end()
  })

  return routes.router
}
