/**
 * `/api/panels` (facilitators): customer panels, the specs they are invited to, their members
 * and their invite links. Anything that can shrink someone's access announces it, so their
 * live sockets are re-checked at once.
 */
import { Router } from 'express'
import { createInviteBody, createPanelBody, updatePanelBody, type Panel, type PanelMember } from '../../shared/api-identity.js'
import type { Auth } from '../auth/auth-service.js'
import { IdentityError } from '../identity/errors.js'
import { createPanelInvite, setPanelSpec } from '../identity/operations.js'
import type { PanelRecord } from '../identity/identity-store.js'
import { param, principalOf } from './auth-middleware.js'
import { declareRoutes } from './routes.js'
import { toInvite } from './invites.js'
import { publicOrigin } from './session-response.js'

/** Routes under `/api/panels`. */
export function panelsRouter(auth: Auth): Router {
  const routes = declareRoutes(Router())
  const { store } = auth

  const panelView = async (p: PanelRecord): Promise<Panel> => ({
    ...p,
    specIds: await store.specIdsOfPanel(p.id),
    memberCount: (await store.listMembers(p.id)).length
  })
  const existing = async (id: string): Promise<PanelRecord> => {
    const panel = await store.getPanel(id)
    if (!panel) throw new IdentityError('panel_not_found', 'panel not found')
    return panel
  }
  const memberIds = async (panelId: string): Promise<string[]> => (await store.listMembers(panelId)).map((m) => m.participantId)

  routes.get('/', 'panel:manage', async (_req, res) => {
    res.json({ panels: await Promise.all((await store.listPanels()).map(panelView)) })
  })

  routes.post('/', 'panel:manage', async (req, res) => {
    const body = createPanelBody.parse(req.body ?? {})
    const panel = await store.createPanel({ name: body.name, description: body.description ?? '' })
    res.status(201).json({ panel: await panelView(panel) })
  })

  routes.get('/:id', 'panel:manage', async (req, res) => {
    res.json({ panel: await panelView(await existing(param(req, 'id'))) })
  })

  routes.patch('/:id', 'panel:manage', async (req, res) => {
    const body = updatePanelBody.parse(req.body ?? {})
    const panel = await store.updatePanel(param(req, 'id'), body)
    if (!panel) throw new IdentityError('panel_not_found', 'panel not found')
    res.json({ panel: await panelView(panel) })
  })

  routes.delete('/:id', 'panel:manage', async (req, res) => {
    const id = param(req, 'id')
    const members = await memberIds(id)
    if (!(await store.deletePanel(id))) throw new IdentityError('panel_not_found', 'panel not found')
    auth.events.emit(members)
    res.status(204).end()
  })

  routes.put('/:id/specs/:specId', 'panel:manage', async (req, res) => {
    const id = param(req, 'id')
    await setPanelSpec(store, auth.specs, id, param(req, 'specId'), true)
    res.json({ panel: await panelView(await existing(id)) })
  })

  routes.delete('/:id/specs/:specId', 'panel:manage', async (req, res) => {
    const id = param(req, 'id')
    if (await setPanelSpec(store, auth.specs, id, param(req, 'specId'), false)) auth.events.emit(await memberIds(id))
    res.json({ panel: await panelView(await existing(id)) })
  })

  routes.get('/:id/members', 'panel:manage', async (req, res) => {
    const panel = await existing(param(req, 'id'))
    const members: PanelMember[] = []
    for (const m of await store.listMembers(panel.id)) {
      const p = await store.getParticipant(m.participantId)
      if (p) members.push({ participantId: p.id, displayName: p.displayName, email: p.email, kind: p.kind, role: m.role, joinedAt: m.joinedAt })
    }
    res.json({ members })
  })

  routes.delete('/:id/members/:participantId', 'panel:manage', async (req, res) => {
    const panel = await existing(param(req, 'id'))
    const participantId = param(req, 'participantId')
    if (!(await store.removeMembership(panel.id, participantId))) throw new IdentityError('member_not_found', 'not a member of this panel')
    auth.events.emit([participantId])
    res.status(204).end()
  })

  routes.post('/:id/invites', 'invite:manage', async (req, res) => {
    const body = createInviteBody.parse(req.body ?? {})
    const { invite, token } = await createPanelInvite(store, { ...body, panelId: param(req, 'id'), createdBy: principalOf(res).participantId })
    res.status(201).json({ invite: toInvite(invite), token, url: `${publicOrigin(auth, req)}/invite/${token}` })
  })

  routes.get('/:id/invites', 'invite:manage', async (req, res) => {
    const panel = await existing(param(req, 'id'))
    res.json({ invites: (await store.listInvites(panel.id)).map((i) => toInvite(i)) })
  })

  return routes.router
}
