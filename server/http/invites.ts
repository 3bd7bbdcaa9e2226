/**
 * `/api/invites`: the public side of panel invite links (preview and accept) and revocation
 * by facilitators. An invite token travels in the path and is looked up by its hash; the error
 * logger cuts secret-looking path segments.
 *
 * Accepting never keeps the session it came with: a cookie planted by someone else (session
 * fixation) must not come to reach the new panel's specs. A browser that already holds an
 * invitee session must say whether to continue as that person or join as someone new; either
 * way the old session ends and a fresh one is issued.
 */
import { Router } from 'express'
import { acceptInviteBody, type Invite, type InvitePreview } from '../../shared/api-identity.js'
import type { Auth } from '../auth/auth-service.js'
import { IdentityError } from '../identity/errors.js'
import { acceptInvite, assertUsable, findInvite, findUsableInvite, inviteStatus } from '../identity/operations.js'
import type { InviteRecord } from '../identity/identity-store.js'
import { authOf, param, requireJson } from './auth-middleware.js'
import { declareRoutes, PUBLIC } from './routes.js'
import { HttpError } from './errors.js'
import { issueReturnLink } from './return-links.js'
import { meResponse, signIn, startSession } from './session-response.js'

/** The API view of an invite link (never its hash). */
export function toInvite(i: InviteRecord, now = new Date()): Invite {
  const { tokenHash: _hash, createdBy: _by, ...rest } = i
  return { ...rest, status: inviteStatus(i, now) }
}

/** Routes under `/api/invites`. */
export function invitesRouter(auth: Auth): Router {
  const routes = declareRoutes(Router())
  const { store } = auth

  routes.get('/:token', PUBLIC, async (req, res) => {
    const invite = await findInvite(store, param(req, 'token'))
    // A member coming back through their old link may see it even once it expired or ran out.
    const current = authOf(res)
    const membership = current ? await store.getMembership(invite.panelId, current.principal.participantId) : null
    const alreadyMember = membership !== null && membership.removedAt === null
    if (!alreadyMember) assertUsable(invite)
    const panel = (await store.getPanel(invite.panelId))!
    const specs: InvitePreview['specs'] = []
    for (const id of await store.specIdsOfPanel(panel.id)) {
      const spec = await auth.specs.get(id)
      if (spec) specs.push({ id: spec.id, title: spec.title })
    }
    const creator = await store.getParticipant(invite.createdBy)
    const preview: InvitePreview = {
      panel: { name: panel.name, description: panel.description },
      specs,
      facilitator: { displayName: creator?.displayName ?? 'Facilitator' },
      role: invite.role,
      alreadyMember,
      signedInAs: current?.principal.kind === 'invitee' ? { displayName: current.principal.displayName } : null
    }
    res.json(preview)
  })

  routes.post('/:token/accept', PUBLIC, requireJson, async (req, res) => {
    const body = acceptInviteBody.parse(req.body)
    const current = authOf(res)
    const token = param(req, 'token')
    // Team members and tokens already reach every spec they may; they do not join panels, and
    // nothing about their session changes.
    if (current && current.principal.kind !== 'invitee') {
      const invite = await findUsableInvite(store, token)
      const csrfToken = current.via === 'session' ? current.session.csrfToken : null
      res.json({ ...meResponse(current.principal, csrfToken), redirectTo: await landingFor(auth, invite.panelId) })
      return
    }
    const holder = current?.via === 'session' ? current : null
    if (holder && body.identity === undefined) {
      throw new IdentityError(
        'identity_choice_required',
        `this browser is signed in as ${holder.principal.displayName}: continue as them ("identity": "current") or join as someone new ("identity": "new")`
      )
    }
    if (body.identity === 'current') {
      if (!holder) throw new IdentityError('no_current_identity', 'this browser is not signed in as anyone any more; join as someone new')
      const participantId = holder.principal.participantId
      // Claim the old session first: of concurrent requests carrying it, only the one that ends
      // it goes on, so a copy of a planted cookie can never be turned into a second session.
      if (!(await auth.sessions.end(holder.secret))) throw new HttpError(401, 'unauthenticated', 'this session just ended; reload the page')
      const input = { token, displayName: body.displayName ?? null, email: body.email ?? null, current: participantId }
      const { panelId } = await acceptInvite(store, input).catch(async (err: unknown) => {
        // Refused (e.g. removed from the panel): still this person, on a fresh session.
        await startSession(auth, req, res, participantId)
        throw err
      })
      const { principal, csrfToken } = await startSession(auth, req, res, participantId)
      res.json({ ...meResponse(principal, csrfToken), redirectTo: await landingFor(auth, panelId) })
      return
    }
    const { participantId, panelId } = await acceptInvite(store, {
      token,
      displayName: body.displayName!,
      email: body.email ?? null,
      current: null,
      previous: holder?.principal.participantId ?? null
    })
    // signIn ends the session this browser held: whoever else holds a copy of it is signed out
    // too, and their sockets are re-checked (closed once they have no session left).
    // A new invitee gets their personal return link at once, so signing out never strands them.
    const returnUrl = await issueReturnLink(auth, req, participantId)
    await signIn(auth, req, res, participantId, { status: 201, extra: { redirectTo: await landingFor(auth, panelId), returnUrl } })
    if (holder) auth.events.emit([holder.principal.participantId])
  })

  routes.delete('/:inviteId', 'invite:manage', async (req, res) => {
    const invite = await store.revokeInvite(param(req, 'inviteId'), new Date().toISOString())
    if (!invite) throw new IdentityError('invite_not_found', 'invite link not found')
    res.json({ invite: toInvite(invite) })
  })

  return routes.router
}

/** Where an invitee lands: the panel's spec if it has exactly one, else the spec list. */
async function landingFor(auth: Auth, panelId: string): Promise<string> {
  const live: string[] = []
  for (const id of await auth.store.specIdsOfPanel(panelId)) if (await auth.specs.get(id)) live.push(id)
  return live.length === 1 ? `/specs/${live[0]}` : '/'
}
