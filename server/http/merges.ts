/**
 * `/api/panels/:id/merges` (facilitators, `participant:merge`): merging two participants of one
 * panel into one (server/identity/merge-participants.ts has the rules), and the panel's merge
 * records for the Workspace.
 *
 * Why the order after the transaction: the merge is committed first (a refused merge changes
 * nothing at all); then the aliases learn it, which refolds every live room's attribution at
 * once (service.ts wires RoomRegistry.refold), and only then is the merged-away participant
 * announced, so its live sockets are re-checked and close with 4403 (it can no longer act).
 * Nothing the survivor does waits on it: their own sockets stay open and keep writing, now also
 * with the merged-away participant's clientIDs.
 */
import { Router } from 'express'
import { mergeBody, type MergePerson, type ParticipantMerge } from '../../shared/api-identity.js'
import type { Auth } from '../auth/auth-service.js'
import { IdentityError } from '../identity/errors.js'
import type { MergeRecord } from '../identity/identity-store.js'
import { mergeParticipants } from '../identity/merge-participants.js'
import { param, principalOf } from './auth-middleware.js'
import { declareRoutes } from './routes.js'

/** Routes of participant merges, mounted under `/api/panels`. */
export function mergesRouter(auth: Auth): Router {
  const routes = declareRoutes(Router())
  const { store } = auth

  const person = async (participantId: string): Promise<MergePerson> => ({
    participantId,
    displayName: (await store.getParticipant(participantId))?.displayName ?? participantId
  })
  const view = async (m: MergeRecord): Promise<ParticipantMerge> => ({
    id: m.id,
    panelId: m.panelId,
    from: await person(m.fromId),
    into: await person(m.intoId),
    by: await person(m.by),
    at: m.at
  })

  routes.get('/:id/merges', 'participant:merge', async (req, res) => {
    const panelId = param(req, 'id')
    if (!(await store.getPanel(panelId))) throw new IdentityError('panel_not_found', 'panel not found')
    const merges = (await store.listMerges()).filter((m) => m.panelId === panelId)
    res.json({ merges: await Promise.all(merges.map(view)) })
  })

  routes.post('/:id/merges', 'participant:merge', async (req, res) => {
    const body = mergeBody.parse(req.body ?? {})
    const merge = await mergeParticipants(store, { panelId: param(req, 'id'), fromId: body.from, intoId: body.into, by: principalOf(res).participantId })
    auth.aliases.add(merge)
    auth.events.emit([merge.fromId])
    res.json({ merge: await view(merge) })
  })

  return routes.router
}
