/**
 * `/api/specs`: list, create, get, rename, soft-delete.
 */
import { Router } from 'express'
import { CloseCode } from '../../shared/protocol.js'
import { createSpecBody, renameSpecBody } from '../../shared/api.js'
import type { DocStore, SpecStore } from '../storage/store.js'
import { emptySpecUpdate } from '../../shared/schema.js'
import { SPEC_ID_PATTERN } from '../storage/ids.js'
import type { RoomRegistry } from '../sync/rooms.js'
import { HttpError } from './errors.js'

function specId(raw: string | string[] | undefined): string {
  const id = typeof raw === 'string' ? raw : ''
  if (!SPEC_ID_PATTERN.test(id)) throw new HttpError(404, 'spec_not_found', 'spec not found')
  return id
}

/** Routes for spec metadata. Creating seeds the document; deleting closes its live connections. */
export function specsRouter(specs: SpecStore, docs: DocStore, rooms: RoomRegistry): Router {
  const router = Router()

  router.get('/', async (_req, res) => {
    res.json({ specs: await specs.list() })
  })

  router.post('/', async (req, res) => {
    const body = createSpecBody.parse(req.body ?? {})
    const spec = await specs.create(body.title)
    // Every spec starts from the same deterministic skeleton (title + paragraph), stored before
    // anyone can join, so clients never race to create it.
    await docs.append(spec.id, emptySpecUpdate())
    res.status(201).location(`/api/specs/${spec.id}`).json({ spec })
  })

  router.get('/:id', async (req, res) => {
    const spec = await specs.get(specId(req.params.id))
    if (!spec) throw new HttpError(404, 'spec_not_found', 'spec not found')
    res.json({ spec })
  })

  router.patch('/:id', async (req, res) => {
    const id = specId(req.params.id)
    const body = renameSpecBody.parse(req.body ?? {})
    const spec = await specs.rename(id, body.title)
    if (!spec) throw new HttpError(404, 'spec_not_found', 'spec not found')
    res.json({ spec })
  })

  router.delete('/:id', async (req, res) => {
    const id = specId(req.params.id)
    if (!(await specs.softDelete(id))) throw new HttpError(404, 'spec_not_found', 'spec not found')
    await rooms.closeRoom(id, CloseCode.specNotFound, 'spec deleted')
    res.status(204).end()
  })

  return router
}
