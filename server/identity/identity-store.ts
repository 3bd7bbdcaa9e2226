/**
 * Identity storage seam: participants, team accounts, sessions, panels, memberships, invite
 * links, API tokens and server secrets. Every implementation (memory, SQLite) passes the
 * contract suite in test/contract/identity.contract.ts, whose numbered rules ([I1]...) are
 * cited here. Secrets (session ids, invite and API tokens) reach the store only as hashes.
 * Timestamps are ISO-8601 strings.
 */
import type { Role } from '../../shared/permissions.js'
import type { PrincipalKind } from '../../shared/identity.js'

/** Roles a team account can hold. */
export type AccountRole = Extract<Role, 'facilitator' | 'team'>
/** Roles a panel membership (and an invite link) can grant. */
export type PanelRole = Extract<Role, 'customer' | 'viewer'>

/** Anyone who can act: an account, an invitee or an API token. The id never changes. */
export interface ParticipantRecord {
  id: string
  kind: PrincipalKind
  displayName: string
  email: string | null
  createdAt: string
}

/** A team account (kind `account`). `email` is stored lower-cased and is unique. */
export interface AccountRecord extends ParticipantRecord {
  kind: 'account'
  email: string
  role: AccountRole
  passwordHash: string
  deactivatedAt: string | null
}

/** A session; `idHash` is the hash of the cookie secret. */
export interface SessionRecord {
  idHash: string
  participantId: string
  csrfToken: string
  createdAt: string
  expiresAt: string
}

/** A customer panel. */
export interface PanelRecord {
  id: string
  name: string
  description: string
  createdAt: string
}

/**
 * One participant in one panel. The role lives on the membership: a person may be a customer
 * in one panel and a viewer in another, and their access to a spec is the strongest role among
 * the panels invited to it. `removedAt` is kept so a removed person cannot rejoin from the same
 * browser with an old link.
 */
export interface MembershipRecord {
  panelId: string
  participantId: string
  role: PanelRole
  joinedAt: string
  removedAt: string | null
}

/** A panel invite link; the token itself is never stored. */
export interface InviteRecord {
  id: string
  panelId: string
  tokenHash: string
  role: PanelRole
  createdBy: string
  createdAt: string
  expiresAt: string
  maxUses: number | null
  uses: number
  revokedAt: string | null
  /** What the facilitator called it ("Berlin workshop, Tuesday"), or null. */
  label: string | null
}

/** What `createInvite` is given: the store adds id, uses, revocation and creation time; no label means none. */
export type NewInvite = Omit<InviteRecord, 'id' | 'uses' | 'revokedAt' | 'createdAt' | 'label'> & { label?: string | null }

/** What a one-time team link does: create the account, or set a new password for it. */
export type MemberLinkPurpose = 'signup' | 'reset'

/** A one-time team link: sign-up for a new team account, or a password reset of an existing one. */
export interface MemberInviteRecord {
  id: string
  purpose: MemberLinkPurpose
  tokenHash: string
  email: string
  displayName: string
  role: AccountRole
  createdBy: string
  createdAt: string
  expiresAt: string
  usedAt: string | null
}

/** An API token (its own participant, kind `token`); the secret is never stored. */
export interface TokenRecord {
  id: string
  name: string
  role: Role
  tokenHash: string
  createdBy: string | null
  createdAt: string
  lastUsedAt: string | null
  revokedAt: string | null
}

/**
 * A recorded merge ([I17]): participant `fromId` was folded into `intoId` (both in panel
 * `panelId`) by facilitator `by` at `at`. Ids resolve through the chain of merges
 * (server/identity/aliases.ts); the record itself is history and never changes.
 */
export interface MergeRecord {
  id: string
  panelId: string
  /** The participant merged away: it can no longer act, its words count as `intoId`'s. */
  fromId: string
  /** The surviving participant. */
  intoId: string
  /** The facilitator who merged them. */
  by: string
  /** ISO-8601. */
  at: string
}

/** What `recordMerge` is given: the store adds the id. */
export type NewMerge = Omit<MergeRecord, 'id'>

/** Why a store operation was refused. */
export type IdentityStoreErrorCode = 'email_taken' | 'not_found' | 'already_merged' | 'merged_away'

/** A refused store operation (the caller maps the code to a response). */
export class IdentityStoreError extends Error {
  constructor(
    readonly code: IdentityStoreErrorCode,
    message: string
  ) {
    super(message)
    this.name = 'IdentityStoreError'
  }
}

/** Outcome of {@link IdentityStore.consumeInvite}. */
export type ConsumeResult = 'ok' | 'not_found' | 'expired' | 'revoked' | 'used_up'

/**
 * Identity storage.
 *
 * - [I1] Participant ids are unique and stable; `getParticipant` finds accounts, invitees and
 *   tokens alike.
 * - [I2] Account emails are unique case-insensitively (`email_taken`) and stored lower-cased;
 *   `getAccountByEmail` matches case-insensitively.
 * - [I3] `updateAccount` changes only the given fields; unknown ids yield null.
 * - [I4] A session is found by its hash until it expires or is deleted; `deleteSessionsOf`
 *   removes every session of a participant; expired sessions are never returned, and
 *   `deleteExpiredSessions` removes only them.
 * - [I5] Panels: create/get/list/update/delete; deleting a panel deletes its spec invitations,
 *   memberships and invite links.
 * - [I6] `setPanelSpec` is idempotent and reports whether anything changed; `specIdsOfPanel`
 *   lists the invited specs.
 * - [I7] Memberships: `addMembership` on an active membership changes nothing ('exists'); on a
 *   removed one changes nothing ('removed'); `removeMembership` marks it removed; `membershipsOf`
 *   and `listMembers` return active memberships only.
 * - [I8] `consumeInvite` is atomic: it counts a use only if the link exists, is not revoked, not
 *   expired at `now`, and below `maxUses`; concurrent calls never exceed `maxUses`.
 *   An invite keeps the `label` it was created with (any script; none: null).
 * - [I9] Member invites are single-use: `useMemberInvite` succeeds once, and only before expiry.
 * - [I10] Tokens are found by hash until revoked (`getTokenByHash` ignores revoked ones).
 * - [I11] `secret(name, make)` returns the same value forever once created (first writer wins).
 * - [I12] Data survives close and reopen (durable implementations).
 * - [I13] `transaction(fn)` is all or nothing: if `fn` throws or rejects, every write made
 *   through its handle `tx` is undone (the store reads exactly as before) and the error is
 *   passed on; otherwise every write is committed and `fn`'s value returned. A transaction
 *   started on `tx` joins the outer one.
 * - [I14] Transactions are isolated: concurrent transactions take effect one after the other
 *   (two accepts of a one-use invite: exactly one commits), and calls made on the store outside
 *   a transaction neither see its uncommitted writes nor are undone with it.
 * - [I16] A participant has at most one return link: `setReturnLink` replaces the previous one
 *   (whose hash then finds nobody); `participantOfReturnLink` finds the participant by the
 *   current hash only; `deleteReturnLink` removes it and says whether there was one.
 * - [I17] Merges are history: `recordMerge` stores one and returns it with an id; a participant
 *   is merged away at most once (`already_merged`), never into itself (RangeError), and never
 *   into a participant that was merged away (`merged_away`), so the records hold no cycle.
 *   `mergeOf(id)` is the record that merged `id` away (else null); `listMerges` returns every
 *   record in (`at`, `id`) order. Inside a transaction a merge is undone with it.
 * - [I15] `fn` works only through `tx`, and `tx` only inside `fn`: the store itself used inside
 *   `fn` (which would wait for `fn`), or `tx` used after `fn` settled, is refused with a
 *   RangeError. `fn` awaits nothing but `tx` (hash passwords, fetch specs and the like before
 *   the transaction): the memory and SQLite stores hold their write lock for the whole of `fn`,
 *   so they roll back and refuse with a RangeError a transaction during which the event loop
 *   turned (server/identity/transactions.ts says why).
 */
export interface IdentityStore {
  /**
   * Runs `fn` as one unit of work on the handle `tx` ([I13]-[I15]). Multi-step operations
   * (accepting an invite, signing up, changing a role) use it so that a failure in the middle
   * leaves nothing half done.
   */
  transaction<T>(fn: (tx: IdentityStore) => T | Promise<T>): Promise<T>

  // Participants and accounts
  getParticipant(id: string): Promise<ParticipantRecord | null>
  createInvitee(input: { displayName: string; email: string | null }): Promise<ParticipantRecord>
  updateParticipant(id: string, patch: { displayName?: string; email?: string | null }): Promise<ParticipantRecord | null>
  /** @throws IdentityStoreError `email_taken` */
  createAccount(input: { email: string; displayName: string; role: AccountRole; passwordHash: string }): Promise<AccountRecord>
  getAccount(participantId: string): Promise<AccountRecord | null>
  getAccountByEmail(email: string): Promise<AccountRecord | null>
  listAccounts(): Promise<AccountRecord[]>
  countAccounts(): Promise<number>
  updateAccount(
    participantId: string,
    patch: { role?: AccountRole; passwordHash?: string; deactivatedAt?: string | null; displayName?: string }
  ): Promise<AccountRecord | null>

  // Sessions
  createSession(session: SessionRecord): Promise<void>
  getSession(idHash: string, now: Date): Promise<SessionRecord | null>
  extendSession(idHash: string, expiresAt: string): Promise<void>
  deleteSession(idHash: string): Promise<SessionRecord | null>
  deleteSessionsOf(participantId: string): Promise<number>
  /** Deletes sessions that expired before `now`; returns how many. */
  deleteExpiredSessions(now: Date): Promise<number>
  /** True if the participant has a session that has not expired at `now`. */
  hasLiveSession(participantId: string, now: Date): Promise<boolean>

  // Panels, spec invitations, memberships
  createPanel(input: { name: string; description: string }): Promise<PanelRecord>
  getPanel(id: string): Promise<PanelRecord | null>
  listPanels(): Promise<PanelRecord[]>
  updatePanel(id: string, patch: { name?: string; description?: string }): Promise<PanelRecord | null>
  deletePanel(id: string): Promise<boolean>
  setPanelSpec(panelId: string, specId: string, invited: boolean): Promise<boolean>
  specIdsOfPanel(panelId: string): Promise<string[]>
  addMembership(panelId: string, participantId: string, role: PanelRole): Promise<'added' | 'exists' | 'removed'>
  removeMembership(panelId: string, participantId: string): Promise<boolean>
  getMembership(panelId: string, participantId: string): Promise<MembershipRecord | null>
  listMembers(panelId: string): Promise<MembershipRecord[]>
  membershipsOf(participantId: string): Promise<MembershipRecord[]>

  // Invite links
  createInvite(input: NewInvite): Promise<InviteRecord>
  getInvite(id: string): Promise<InviteRecord | null>
  getInviteByHash(tokenHash: string): Promise<InviteRecord | null>
  listInvites(panelId: string): Promise<InviteRecord[]>
  revokeInvite(id: string, at: string): Promise<InviteRecord | null>
  consumeInvite(id: string, now: Date): Promise<ConsumeResult>

  // Team sign-up links
  createMemberInvite(input: Omit<MemberInviteRecord, 'id' | 'usedAt' | 'createdAt' | 'purpose'> & { purpose?: MemberLinkPurpose }): Promise<MemberInviteRecord>
  getMemberInviteByHash(tokenHash: string): Promise<MemberInviteRecord | null>
  listMemberInvites(): Promise<MemberInviteRecord[]>
  deleteMemberInvite(id: string): Promise<boolean>
  useMemberInvite(id: string, now: Date): Promise<boolean>

  // API tokens
  createToken(input: { name: string; role: Role; tokenHash: string; createdBy: string | null }): Promise<TokenRecord>
  getToken(id: string): Promise<TokenRecord | null>
  getTokenByHash(tokenHash: string): Promise<TokenRecord | null>
  listTokens(): Promise<TokenRecord[]>
  revokeToken(id: string, at: string): Promise<TokenRecord | null>
  touchToken(id: string, at: string): Promise<void>

  // Server secrets
  /** A participant's personal return link, kept as the hash of its token ([I16]). */
  setReturnLink(participantId: string, tokenHash: string): Promise<void>
  participantOfReturnLink(tokenHash: string): Promise<string | null>
  deleteReturnLink(participantId: string): Promise<boolean>

  // Merges ([I17])
  /** @throws IdentityStoreError `already_merged` | `merged_away`; RangeError when `fromId` is `intoId` */
  recordMerge(input: NewMerge): Promise<MergeRecord>
  mergeOf(participantId: string): Promise<MergeRecord | null>
  listMerges(): Promise<MergeRecord[]>

  secret(name: string, make: () => string): Promise<string>
}

/**
 * [I17]'s refusals of a new merge, for every backend: nobody merges into themselves, and neither
 * side may have been merged away already (`mergedAway` says whether an id was).
 * @throws RangeError (self-merge), IdentityStoreError `already_merged` or `merged_away`
 */
export function checkNewMerge(input: NewMerge, mergedAway: (participantId: string) => boolean): void {
  if (input.fromId === input.intoId) throw new RangeError('a participant cannot be merged into itself')
  if (mergedAway(input.fromId)) throw new IdentityStoreError('already_merged', 'this participant was merged away already')
  if (mergedAway(input.intoId)) throw new IdentityStoreError('merged_away', 'the survivor was merged away itself')
}
