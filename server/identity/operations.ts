/**
 * Identity operations shared by the HTTP API and the admin CLI: creating accounts, invite
 * links, sign-up links and API tokens, inviting panels to specs, and accepting invites. Each
 * returns the one-time secret it created (if any); only its hash is stored.
 */
import type { Role } from '../../shared/permissions.js'
import { API_TOKEN_PREFIX, hashSecret, newSecret } from './secrets.js'
import type { SpecStore } from '../storage/store.js'
import { IdentityError } from './errors.js'
import {
  IdentityStoreError,
  type AccountRecord,
  type AccountRole,
  type IdentityStore,
  type InviteRecord,
  type MemberInviteRecord,
  type PanelRole,
  type TokenRecord
} from './store.js'

const HOUR_MS = 60 * 60 * 1000
/** Default and longest lifetime of a panel invite link. */
export const INVITE_DEFAULT_HOURS = 168
export const INVITE_MAX_HOURS = 8760
/** Lifetime of a team sign-up link. */
export const MEMBER_INVITE_HOURS = 168

/**
 * Creates a team account. The caller hashes the password (server/auth/passwords.ts): identity
 * stores hashes and never depends on how they are made.
 */
export async function createAccount(
  store: IdentityStore,
  input: { email: string; displayName: string; role: AccountRole; passwordHash: string }
): Promise<AccountRecord> {
  try {
    return await store.createAccount({
      email: input.email,
      displayName: input.displayName,
      role: input.role,
      passwordHash: input.passwordHash
    })
  } catch (err) {
    if (err instanceof IdentityStoreError && err.code === 'email_taken') throw new IdentityError('email_taken', err.message)
    throw err
  }
}

/** State of an invite link at `now`. */
export type InviteStatus = 'active' | 'expired' | 'revoked' | 'used_up'

/** Whether an invite link can still be used, and if not why. */
export function inviteStatus(invite: InviteRecord, now = new Date()): InviteStatus {
  if (invite.revokedAt) return 'revoked'
  if (invite.expiresAt <= now.toISOString()) return 'expired'
  if (invite.maxUses !== null && invite.uses >= invite.maxUses) return 'used_up'
  return 'active'
}

/** Creates a panel invite link; `token` goes into `/invite/<token>` and is shown once. */
export async function createPanelInvite(
  store: IdentityStore,
  input: { panelId: string; role: PanelRole; expiresInHours?: number; maxUses?: number | null; createdBy: string }
): Promise<{ invite: InviteRecord; token: string }> {
  if (!(await store.getPanel(input.panelId))) throw new IdentityError('panel_not_found', 'panel not found')
  const hours = Math.min(input.expiresInHours ?? INVITE_DEFAULT_HOURS, INVITE_MAX_HOURS)
  const token = newSecret()
  const invite = await store.createInvite({
    panelId: input.panelId,
    tokenHash: hashSecret(token),
    role: input.role,
    createdBy: input.createdBy,
    expiresAt: new Date(Date.now() + hours * HOUR_MS).toISOString(),
    maxUses: input.maxUses ?? null
  })
  return { invite, token }
}

/** Creates a one-time team sign-up link (`/signup?token=<token>`). */
export async function createMemberInvite(
  store: IdentityStore,
  input: { email: string; displayName: string; role: AccountRole; createdBy: string }
): Promise<{ invite: MemberInviteRecord; token: string }> {
  if (await store.getAccountByEmail(input.email)) throw new IdentityError('email_taken', 'an account with this email exists')
  const token = newSecret()
  const invite = await store.createMemberInvite({
    ...input,
    tokenHash: hashSecret(token),
    expiresAt: new Date(Date.now() + MEMBER_INVITE_HOURS * HOUR_MS).toISOString()
  })
  return { invite, token }
}

/**
 * Creates an API token. Customer and viewer tokens reach only the specs of `panelIds` (they
 * become members of those panels with the token's role).
 */
export async function createApiToken(
  store: IdentityStore,
  input: { name: string; role: Role; createdBy: string | null; panelIds?: string[] }
): Promise<{ token: TokenRecord; secret: string }> {
  const panelIds = input.panelIds ?? []
  for (const id of panelIds) if (!(await store.getPanel(id))) throw new IdentityError('panel_not_found', `panel ${id} not found`)
  const secret = newSecret(API_TOKEN_PREFIX)
  const token = await store.createToken({ name: input.name, role: input.role, tokenHash: hashSecret(secret), createdBy: input.createdBy })
  if (input.role === 'customer' || input.role === 'viewer') {
    for (const id of panelIds) await store.addMembership(id, token.id, input.role)
  }
  return { token, secret }
}

/** Invites a panel to a spec (or withdraws it); returns whether anything changed. */
export async function setPanelSpec(
  store: IdentityStore,
  specs: SpecStore,
  panelId: string,
  specId: string,
  invited: boolean
): Promise<boolean> {
  if (!(await store.getPanel(panelId))) throw new IdentityError('panel_not_found', 'panel not found')
  if (invited && !(await specs.get(specId))) throw new IdentityError('spec_not_found', 'spec not found')
  return store.setPanelSpec(panelId, specId, invited)
}

/** Looks up an invite link by its token (whatever its state); throws `invite_not_found`. */
export async function findInvite(store: IdentityStore, token: string): Promise<InviteRecord> {
  const invite = await store.getInviteByHash(hashSecret(token))
  if (!invite || !(await store.getPanel(invite.panelId))) throw new IdentityError('invite_not_found', 'invite link not found')
  return invite
}

/** Throws the reason an invite link cannot be used any more, if any. */
export function assertUsable(invite: InviteRecord): void {
  const status = inviteStatus(invite)
  if (status !== 'active') throw new IdentityError(`invite_${status}`, `this invite link is ${status.replace('_', ' ')}`)
}

/** Looks up a usable invite link by its token; throws the reason it cannot be used. */
export async function findUsableInvite(store: IdentityStore, token: string): Promise<InviteRecord> {
  const invite = await findInvite(store, token)
  assertUsable(invite)
  return invite
}

/**
 * Accepts an invite link. `current` is the invitee already signed in on this browser whom the
 * person chose to continue as (if any): they stay the same participant; if already a member of
 * the panel they use nothing (even if the link has since expired or been used up: it is their
 * way back in), otherwise they join using up one use. A person removed from the panel cannot
 * rejoin this way. Without `current` a new invitee is created (`displayName` required), unless
 * `previous` (the invitee this browser held before choosing to join as someone new) was removed
 * from the panel: that browser cannot come back by changing its name either.
 * `displayName` null keeps the current name. Whether to continue as `current` is the caller's
 * question to ask (the HTTP route refuses to guess); sessions are the caller's too.
 */
export async function acceptInvite(
  store: IdentityStore,
  input: { token: string; displayName: string | null; email: string | null; current: string | null; previous?: string | null }
): Promise<{ participantId: string; panelId: string }> {
  const invite = await findInvite(store, input.token)
  if (input.current) {
    const membership = await store.getMembership(invite.panelId, input.current)
    if (membership?.removedAt) throw new IdentityError('membership_removed', 'you were removed from this panel')
    if (!membership) {
      assertUsable(invite)
      await consume(store, invite)
    }
    const patch = { ...(input.displayName ? { displayName: input.displayName } : {}), ...(input.email ? { email: input.email } : {}) }
    if (Object.keys(patch).length > 0) await store.updateParticipant(input.current, patch)
    if (!membership) await store.addMembership(invite.panelId, input.current, invite.role)
    return { participantId: input.current, panelId: invite.panelId }
  }
  if (!input.displayName) throw new TypeError('acceptInvite: a new invitee needs a display name')
  if (input.previous && (await store.getMembership(invite.panelId, input.previous))?.removedAt) {
    throw new IdentityError('membership_removed', 'you were removed from this panel')
  }
  assertUsable(invite)
  await consume(store, invite)
  const participant = await store.createInvitee({ displayName: input.displayName, email: input.email })
  await store.addMembership(invite.panelId, participant.id, invite.role)
  return { participantId: participant.id, panelId: invite.panelId }
}

async function consume(store: IdentityStore, invite: InviteRecord): Promise<void> {
  const result = await store.consumeInvite(invite.id, new Date())
  if (result === 'not_found') throw new IdentityError('invite_not_found', 'invite link not found')
  if (result !== 'ok') throw new IdentityError(`invite_${result}`, `this invite link is ${result.replace('_', ' ')}`)
}
