/**
 * `/api/members` (facilitators): team accounts, sign-up and password-reset links, role changes,
 * deactivation.
 * The last active facilitator can be neither demoted nor deactivated, so a workspace always
 * keeps someone who can manage it.
 */
import { Router } from 'express'
import { memberInviteBody, updateMemberBody, type Member, type PendingMemberInvite } from '../../shared/api-identity.js'
import type { Auth } from '../auth/auth-service.js'
import { IdentityError } from '../identity/errors.js'
import { changeMember, createMemberInvite, createPasswordReset } from '../identity/operations.js'
import type { AccountRecord, AccountRole } from '../identity/identity-store.js'
import { param, principalOf } from './auth-middleware.js'
import { declareRoutes } from './routes.js'
import { publicOrigin } from './session-response.js'

/** The API view of an account. */
export const toMember = (a: AccountRecord): Member => ({
  participantId: a.id,
  email: a.email,
  displayName: a.displayName,
  role: a.role,
  active: a.deactivatedAt === null,
  createdAt: a.createdAt
})

/** Routes under `/api/members`. */
export function membersRouter(auth: Auth): Router {
  const routes = declareRoutes(Router())
  const { store } = auth

  // The last-facilitator check and the change share one store transaction (changeMember), so
  // two facilitators demoting each other at once cannot leave the workspace with none.
  const change = async (participantId: string, patch: { role?: AccountRole; active?: boolean }): Promise<AccountRecord> => {
    const { before, after } = await changeMember(store, participantId, patch)
    if (patch.active === false || (patch.role && patch.role !== before.role)) auth.events.emit([participantId])
    return after
  }

  routes.get('/', 'member:manage', async (_req, res) => {
    const members = (await store.listAccounts()).map(toMember)
    const invites: PendingMemberInvite[] = (await store.listMemberInvites()).map(({ tokenHash: _hash, createdBy: _by, ...i }) => i)
    res.json({ members, invites })
  })

  routes.post('/invites', 'member:manage', async (req, res) => {
    const body = memberInviteBody.parse(req.body ?? {})
    const { invite, token } = await createMemberInvite(store, { ...body, createdBy: principalOf(res).participantId })
    const { tokenHash: _hash, createdBy: _by, ...view } = invite
    res.status(201).json({ invite: view, token, url: `${publicOrigin(auth, req)}/signup?token=${token}` })
  })

  routes.delete('/invites/:id', 'member:manage', async (req, res) => {
    if (!(await store.deleteMemberInvite(param(req, 'id')))) throw new IdentityError('signup_not_found', 'sign-up link not found')
    res.status(204).end()
  })

  // A one-time link to choose a new password (the member forgot theirs); it signs them in and
  // ends their other sessions. Shown once: only its hash is stored.
  routes.post('/:participantId/password-reset', 'member:manage', async (req, res) => {
    const { invite, token } = await createPasswordReset(store, { participantId: param(req, 'participantId'), createdBy: principalOf(res).participantId })
    const { tokenHash: _hash, createdBy: _by, ...view } = invite
    res.status(201).json({ invite: view, token, url: `${publicOrigin(auth, req)}/signup?token=${token}` })
  })

  routes.patch('/:participantId', 'member:manage', async (req, res) => {
    const body = updateMemberBody.parse(req.body ?? {})
    res.json({ member: toMember(await change(param(req, 'participantId'), body)) })
  })

  routes.delete('/:participantId', 'member:manage', async (req, res) => {
    await change(param(req, 'participantId'), { active: false })
    res.status(204).end()
  })

  return routes.router
}
