/**
 * Identity operations shared by the HTTP API and the admin CLI: creating accounts, invite
 * links, sign-up links and API tokens, inviting panels to specs, accepting invites, changing
 * members. Each returns the one-time secret it created (if any); only its hash is stored.
 * Every operation that writes more than once runs in one store transaction ([I13]), so a
 * failure in the middle leaves nothing half done.
 */
import type { Role } from '../../shared/permissions.js'
import { API_TOKEN_PREFIX, hashSecret, newSecret } from './secrets.js'
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
} from './identity-store.js'

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

/**
 * Creates the first facilitator of an empty workspace (`setup_done` once any account exists).
 * The count and the creation share a transaction: a setup form and the CLI racing each other
 * cannot both create "the first" account.
 */
export function createFirstFacilitator(
  store: IdentityStore,
  input: { email: string; displayName: string; passwordHash: string }
): Promise<AccountRecord> {
  return store.transaction(async (tx) => {
    if ((await tx.countAccounts()) > 0) throw new IdentityError('setup_done', 'this server is already set up; sign in')
    return createAccount(tx, { ...input, role: 'facilitator' })
  })
}

/**
 * Changes a team member's role and/or active state. The last active facilitator can be neither
 * demoted nor deactivated (`last_facilitator`): the check and the change share a transaction,
 * so two facilitators demoting each other at once cannot leave none. Deactivating ends every
 * session of the account in the same transaction. Returns the account before and after.
 */
export function changeMember(
  store: IdentityStore,
  participantId: string,
  patch: { role?: AccountRole; active?: boolean }
): Promise<{ before: AccountRecord; after: AccountRecord }> {
  return store.transaction(async (tx) => {
    const before = await tx.getAccount(participantId)
    if (!before) throw new IdentityError('member_not_found', 'no team member with this id')
    const losesFacilitator =
      before.role === 'facilitator' && !before.deactivatedAt && (patch.active === false || (patch.role ?? 'facilitator') !== 'facilitator')
    if (losesFacilitator) {
      const others = (await tx.listAccounts()).filter((a) => a.role === 'facilitator' && !a.deactivatedAt && a.id !== before.id)
      if (others.length === 0) throw new IdentityError('last_facilitator', 'the last active facilitator cannot be demoted or deactivated')
    }
    const deactivatedAt = patch.active === undefined ? undefined : patch.active ? null : (before.deactivatedAt ?? new Date().toISOString())
    const after = (await tx.updateAccount(participantId, { role: patch.role, deactivatedAt }))!
    if (patch.active === false) await tx.deleteSessionsOf(participantId)
    return { before, after }
  })
}

/**
 * Sets a team account's password hash and ends every session of the account (whoever knew the
 * old password is signed out), together. `reactivate` also lifts a deactivation (the CLI's
 * reset-password). Null if there is no such account.
 */
export function setPassword(
  store: IdentityStore,
  participantId: string,
  passwordHash: string,
  opts: { reactivate?: boolean } = {}
): Promise<AccountRecord | null> {
  return store.transaction(async (tx) => {
    const account = await tx.updateAccount(participantId, { passwordHash, ...(opts.reactivate ? { deactivatedAt: null } : {}) })
    if (account) await tx.deleteSessionsOf(participantId)
    return account
  })
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
  input: { panelId: string; role: PanelRole; expiresInHours?: number; maxUses?: number | null; label?: string | null; createdBy: string }
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
    maxUses: input.maxUses ?? null,
    label: input.label ?? null
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
  // One pending invitation per email: inviting again replaces the earlier link (whose token
  // nobody can be shown again: only its hash is stored), in one transaction with the new one.
  const invite = await store.transaction(async (tx) => {
    const email = input.email.toLowerCase()
    for (const old of await tx.listMemberInvites()) {
      if (old.usedAt === null && old.email.toLowerCase() === email) await tx.deleteMemberInvite(old.id)
    }
    return tx.createMemberInvite({
      ...input,
      tokenHash: hashSecret(token),
      expiresAt: new Date(Date.now() + MEMBER_INVITE_HOURS * HOUR_MS).toISOString()
    })
  })
  return { invite, token }
}

/** Looks up a team sign-up link that can still be used; throws why it cannot. */
export async function findUsableMemberInvite(store: IdentityStore, token: string): Promise<MemberInviteRecord> {
  const invite = await store.getMemberInviteByHash(hashSecret(token))
  if (!invite) throw new IdentityError('signup_not_found', 'sign-up link not found')
  if (invite.usedAt) throw new IdentityError('signup_used', 'this sign-up link was already used')
  if (invite.expiresAt <= new Date().toISOString()) throw new IdentityError('signup_expired', 'this sign-up link expired')
  return invite
}

/**
 * Creates a one-time password-reset link (`/signup?token=<token>`, purpose `reset`) for the team
 * account `participantId`, made by a facilitator in the Workspace (the CLI's reset-password is
 * the offline way). Like a sign-up link, it replaces any pending link for the same email.
 */
export async function createPasswordReset(store: IdentityStore, input: { participantId: string; createdBy: string }): Promise<{ invite: MemberInviteRecord; token: string }> {
  const token = newSecret()
  const invite = await store.transaction(async (tx) => {
    const account = await tx.getAccount(input.participantId)
    if (!account) throw new IdentityError('member_not_found', 'no team account with this id')
    for (const old of await tx.listMemberInvites()) {
      if (old.usedAt === null && old.email.toLowerCase() === account.email) await tx.deleteMemberInvite(old.id)
    }
    return tx.createMemberInvite({
      purpose: 'reset',
      email: account.email,
      displayName: account.displayName,
      role: account.role,
      createdBy: input.createdBy,
      tokenHash: hashSecret(token),
      expiresAt: new Date(Date.now() + MEMBER_INVITE_HOURS * HOUR_MS).toISOString()
    })
  })
  return { invite, token }
}

/**
 * Uses a team link with `passwordHash`: a sign-up link creates the account; a reset link sets
 * the account's new password and ends its sessions. Using the link and the change share a
 * transaction: if the change fails (`email_taken`, the account is gone or deactivated), the link
 * stays unused.
 */
export function signUp(store: IdentityStore, input: { token: string; passwordHash: string }): Promise<AccountRecord> {
  return store.transaction(async (tx) => {
    const invite = await findUsableMemberInvite(tx, input.token)
    if (!(await tx.useMemberInvite(invite.id, new Date()))) throw new IdentityError('signup_used', 'this sign-up link was already used')
    const { email, displayName, role } = invite
    if (invite.purpose === 'signup') return createAccount(tx, { email, displayName, role, passwordHash: input.passwordHash })
    const account = await tx.getAccountByEmail(email)
    if (!account) throw new IdentityError('member_not_found', 'the account of this link no longer exists')
    if (account.deactivatedAt) throw new IdentityError('account_deactivated', 'this account is deactivated; ask a facilitator to reactivate it')
    const updated = await tx.updateAccount(account.id, { passwordHash: input.passwordHash })
    await tx.deleteSessionsOf(account.id)
    return updated!
  })
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
  const secret = newSecret(API_TOKEN_PREFIX)
  // One transaction: a panel deleted meanwhile leaves no token that reaches less than asked.
  const token = await store.transaction(async (tx) => {
    for (const id of panelIds) if (!(await tx.getPanel(id))) throw new IdentityError('panel_not_found', `panel ${id} not found`)
    const created = await tx.createToken({ name: input.name, role: input.role, tokenHash: hashSecret(secret), createdBy: input.createdBy })
    if (input.role === 'customer' || input.role === 'viewer') {
      for (const id of panelIds) await tx.addMembership(id, created.id, input.role)
    }
    return created
  })
  return { token, secret }
}

/** What identity needs of the spec store: whether a spec exists (server/storage/doc-store.ts). */
export interface SpecLookup {
  get(id: string): Promise<object | null>
}

/** Invites a panel to a spec (or withdraws it); returns whether anything changed. */
export async function setPanelSpec(
  store: IdentityStore,
  specs: SpecLookup,
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
  // One transaction: using up the link, creating or renaming the invitee and joining the panel
  // happen together or not at all; concurrent accepts of the last use take turns ([I14]).
  return store.transaction(async (tx) => {
    const invite = await findInvite(tx, input.token)
    if (input.current) {
      const membership = await tx.getMembership(invite.panelId, input.current)
      if (membership?.removedAt) throw new IdentityError('membership_removed', 'you were removed from this panel')
      if (!membership) {
        assertUsable(invite)
        await consume(tx, invite)
      }
      const patch = { ...(input.displayName ? { displayName: input.displayName } : {}), ...(input.email ? { email: input.email } : {}) }
      if (Object.keys(patch).length > 0) await tx.updateParticipant(input.current, patch)
      if (!membership) await tx.addMembership(invite.panelId, input.current, invite.role)
      return { participantId: input.current, panelId: invite.panelId }
    }
    if (!input.displayName) throw new TypeError('acceptInvite: a new invitee needs a display name')
    if (input.previous && (await tx.getMembership(invite.panelId, input.previous))?.removedAt) {
      throw new IdentityError('membership_removed', 'you were removed from this panel')
    }
    assertUsable(invite)
    await consume(tx, invite)
    const participant = await tx.createInvitee({ displayName: input.displayName, email: input.email })
    await tx.addMembership(invite.panelId, participant.id, invite.role)
    return { participantId: participant.id, panelId: invite.panelId }
  })
}

async function consume(store: IdentityStore, invite: InviteRecord): Promise<void> {
  const result = await store.consumeInvite(invite.id, new Date())
  if (result === 'not_found') throw new IdentityError('invite_not_found', 'invite link not found')
  if (result !== 'ok') throw new IdentityError(`invite_${result}`, `this invite link is ${result.replace('_', ' ')}`)
}
