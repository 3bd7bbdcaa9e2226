/**
 * `/api/members` (facilitators): team accounts, sign-up links, role changes, deactivation.
 * The last active facilitator can be neither demoted nor deactivated, so a workspace always
 * keeps someone who can manage it.
 */
import { Router } from 'express'
import { memberInviteBody, updateMemberBody, type Member, type PendingMemberInvite } from '../../shared/api-identity.js'
import type { Auth } from '../auth/auth.js'
import { IdentityError } from '../identity/errors.js'
import { createMemberInvite } from '../identity/operations.js'
import type { AccountRecord, AccountRole } from '../identity/store.js'
import { param, principalOf, requirePermission } from './auth-middleware.js'
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
  const router = Router()
  const { store } = auth
  router.use(requirePermission('member:manage'))

  // Role changes and deactivations run one at a time: two facilitators demoting each other at
  // once must not leave the workspace with none.
  let queue: Promise<unknown> = Promise.resolve()
  const serialized = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn)
    queue = run.catch(() => undefined)
    return run
  }

  const change = (participantId: string, patch: { role?: AccountRole; active?: boolean }) =>
    serialized(async () => {
      const account = await store.getAccount(participantId)
      if (!account) throw new IdentityError('member_not_found', 'no team member with this id')
      const losesFacilitator =
        account.role === 'facilitator' && !account.deactivatedAt && (patch.active === false || (patch.role ?? 'facilitator') !== 'facilitator')
      if (losesFacilitator) {
        const others = (await store.listAccounts()).filter((a) => a.role === 'facilitator' && !a.deactivatedAt && a.id !== account.id)
        if (others.length === 0) throw new IdentityError('last_facilitator', 'the last active facilitator cannot be demoted or deactivated')
      }
      const deactivatedAt = patch.active === undefined ? undefined : patch.active ? null : (account.deactivatedAt ?? new Date().toISOString())
      const updated = (await store.updateAccount(participantId, { role: patch.role, deactivatedAt }))!
      if (patch.active === false) await store.deleteSessionsOf(participantId)
      if (patch.active === false || (patch.role && patch.role !== account.role)) auth.events.emit([participantId])
      return updated
    })

  router.get('/', async (_req, res) => {
    const members = (await store.listAccounts()).map(toMember)
    const invites: PendingMemberInvite[] = (await store.listMemberInvites()).map(({ tokenHash: _hash, createdBy: _by, ...i }) => i)
    res.json({ members, invites })
  })

  router.post('/invites', async (req, res) => {
    const body = memberInviteBody.parse(req.body ?? {})
    const { invite, token } = await createMemberInvite(store, { ...body, createdBy: principalOf(res).participantId })
    const { tokenHash: _hash, createdBy: _by, ...view } = invite
    res.status(201).json({ invite: view, token, url: `${publicOrigin(auth, req)}/signup?token=${token}` })
  })

  router.delete('/invites/:id', async (req, res) => {
    if (!(await store.deleteMemberInvite(param(req, 'id')))) throw new IdentityError('signup_not_found', 'sign-up link not found')
    res.status(204).end()
  })

  router.patch('/:participantId', async (req, res) => {
    const body = updateMemberBody.parse(req.body ?? {})
    res.json({ member: toMember(await change(param(req, 'participantId'), body)) })
  })

  router.delete('/:participantId', async (req, res) => {
    await change(param(req, 'participantId'), { active: false })
    res.status(204).end()
  })

  return router
}
