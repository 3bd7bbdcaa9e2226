/**
 * The transaction boundary of the in-process identity stores (memory and SQLite): one write
 * transaction at a time, and nothing else of the store runs while it is open.
 *
 * Why this design: better-sqlite3 is synchronous, but `IdentityStore.transaction` takes async
 * work (so that a Postgres backend can run it as BEGIN ... COMMIT on one pooled client). Holding
 * BEGIN open across awaits on a shared connection is a trap: any other caller of the store that
 * runs in between would join the open transaction (and be rolled back with it), and a writer
 * on another connection to the same file would wait on the lock synchronously, blocking the
 * very event loop the transaction needs to finish. So:
 *
 * - transactions are serialised by an in-process lock, and calls made outside the transaction
 *   while it is open wait until it ends (they never see, nor join, its writes);
 * - a transaction may await only its own store: it starts and ends within one turn of the event
 *   loop (microtasks only). If the event loop turns while it is open (the work awaited a timer,
 *   I/O, a password hash), it is rolled back at once and refused with a RangeError, so a
 *   mistake costs one failed request in tests, never a lock held across I/O;
 * - the backend supplies synchronous `begin`/`commit`/`rollback` (SQLite: BEGIN IMMEDIATE /
 *   COMMIT / ROLLBACK on the store's own connection; memory: a copy taken at begin).
 *
 * Backends implement {@link IdentityBackend} (every method atomic and run to completion without
 * awaiting anything) and wrap it in {@link TransactionalIdentityStore}.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
// From node:timers, not the globals: fake timers in tests replace the globals.
import { clearImmediate, setImmediate } from 'node:timers'
import type { IdentityStore } from './identity-store.js'

/** The data methods of an {@link IdentityStore}: everything but the transaction boundary. */
export type IdentityData = Omit<IdentityStore, 'transaction'>

/**
 * An identity backend over one connection. Each data method is atomic and does all its work
 * before its promise settles (no internal awaits), so no other call can run in its middle.
 */
export interface IdentityBackend extends IdentityData {
  /** Opens a write transaction. */
  begin(): void
  /** Makes everything since `begin` durable. */
  commit(): void
  /** Undoes everything since `begin`. */
  rollback(): void
}

type Key = keyof IdentityData
type Args<K extends Key> = Parameters<IdentityData[K]>
type Result<K extends Key> = ReturnType<IdentityData[K]>
type AnyMethod = (...args: unknown[]) => Promise<unknown>

/** One transaction: open until its work settles, is refused, or the event loop turns. */
class Scope {
  open = true
  private finish!: () => void
  /** Resolves when the transaction has ended (committed or rolled back). */
  readonly ended = new Promise<void>((resolve) => (this.finish = resolve))

  end(): void {
    this.open = false
    this.finish()
  }
}

/** Serialises the transactions of one backend and holds other calls while one is open. */
class Lock {
  private tail: Promise<void> = Promise.resolve()
  private active: Scope | null = null
  private readonly context = new AsyncLocalStorage<Scope>()

  constructor(private readonly backend: IdentityBackend) {}

  /** Runs a call made outside any transaction: now if none is open, else once it ended. */
  outside<K extends Key>(key: K, args: Args<K>): Result<K> {
    if (this.context.getStore()) {
      // Waiting here would wait for the transaction this very call is part of: a deadlock.
      return Promise.reject(new RangeError(`identity store: ${key} called on the store inside a transaction; use its handle`)) as Result<K>
    }
    const active = this.active
    if (!active) return this.call(key, args)
    return active.ended.then((): unknown => this.outside(key, args)) as Result<K>
  }

  /** Runs a call made through the handle of `scope`. */
  inside<K extends Key>(scope: Scope, key: K, args: Args<K>): Result<K> {
    if (!scope.open) return Promise.reject(new RangeError(`identity store: ${key} called on a transaction that has ended`)) as Result<K>
    return this.call(key, args)
  }

  async transaction<T>(fn: (tx: IdentityStore) => T | Promise<T>): Promise<T> {
    if (this.context.getStore()) throw new RangeError('identity store: transaction started on the store inside a transaction; use its handle')
    const previous = this.tail
    let release!: () => void
    this.tail = new Promise((resolve) => (release = resolve))
    await previous
    const scope = new Scope()
    this.active = scope
    let turn: ReturnType<typeof setImmediate> | undefined
    try {
      this.backend.begin()
      const work = this.context.run(scope, async () => fn(new Handle(this, scope)))
      const turned = new Promise<typeof TURNED>((resolve) => (turn = setImmediate(resolve, TURNED)))
      const outcome = await Promise.race([work.then((value) => ({ value }), (error: unknown) => ({ error })), turned])
      if (outcome === TURNED) {
        work.catch(() => undefined) // already refused below; its later failure is expected
        this.backend.rollback()
        throw new RangeError('identity store: a transaction waited on something other than its store (do slow work before it)')
      }
      if ('error' in outcome) {
        this.backend.rollback()
        throw outcome.error
      }
      this.backend.commit()
      return outcome.value
    } finally {
      clearImmediate(turn)
      scope.end()
      this.active = null
      release()
    }
  }

  private call<K extends Key>(key: K, args: Args<K>): Result<K> {
    return (this.backend[key] as AnyMethod).apply(this.backend, args) as Result<K>
  }
}

const TURNED = Symbol('event loop turned')

/** Every data method, forwarded to {@link Delegate.forward}. */
abstract class Delegate implements IdentityStore {
  protected abstract forward<K extends Key>(key: K, args: Args<K>): Result<K>
  abstract transaction<T>(fn: (tx: IdentityStore) => T | Promise<T>): Promise<T>

  getParticipant(...a: Args<'getParticipant'>) { return this.forward('getParticipant', a) }
  createInvitee(...a: Args<'createInvitee'>) { return this.forward('createInvitee', a) }
  updateParticipant(...a: Args<'updateParticipant'>) { return this.forward('updateParticipant', a) }
  createAccount(...a: Args<'createAccount'>) { return this.forward('createAccount', a) }
  getAccount(...a: Args<'getAccount'>) { return this.forward('getAccount', a) }
  getAccountByEmail(...a: Args<'getAccountByEmail'>) { return this.forward('getAccountByEmail', a) }
  listAccounts(...a: Args<'listAccounts'>) { return this.forward('listAccounts', a) }
  countAccounts(...a: Args<'countAccounts'>) { return this.forward('countAccounts', a) }
  updateAccount(...a: Args<'updateAccount'>) { return this.forward('updateAccount', a) }
  createSession(...a: Args<'createSession'>) { return this.forward('createSession', a) }
  getSession(...a: Args<'getSession'>) { return this.forward('getSession', a) }
  extendSession(...a: Args<'extendSession'>) { return this.forward('extendSession', a) }
  deleteSession(...a: Args<'deleteSession'>) { return this.forward('deleteSession', a) }
  deleteSessionsOf(...a: Args<'deleteSessionsOf'>) { return this.forward('deleteSessionsOf', a) }
  deleteExpiredSessions(...a: Args<'deleteExpiredSessions'>) { return this.forward('deleteExpiredSessions', a) }
  hasLiveSession(...a: Args<'hasLiveSession'>) { return this.forward('hasLiveSession', a) }
  createPanel(...a: Args<'createPanel'>) { return this.forward('createPanel', a) }
  getPanel(...a: Args<'getPanel'>) { return this.forward('getPanel', a) }
  listPanels(...a: Args<'listPanels'>) { return this.forward('listPanels', a) }
  updatePanel(...a: Args<'updatePanel'>) { return this.forward('updatePanel', a) }
  deletePanel(...a: Args<'deletePanel'>) { return this.forward('deletePanel', a) }
  setPanelSpec(...a: Args<'setPanelSpec'>) { return this.forward('setPanelSpec', a) }
  specIdsOfPanel(...a: Args<'specIdsOfPanel'>) { return this.forward('specIdsOfPanel', a) }
  addMembership(...a: Args<'addMembership'>) { return this.forward('addMembership', a) }
  removeMembership(...a: Args<'removeMembership'>) { return this.forward('removeMembership', a) }
  getMembership(...a: Args<'getMembership'>) { return this.forward('getMembership', a) }
  listMembers(...a: Args<'listMembers'>) { return this.forward('listMembers', a) }
  membershipsOf(...a: Args<'membershipsOf'>) { return this.forward('membershipsOf', a) }
  createInvite(...a: Args<'createInvite'>) { return this.forward('createInvite', a) }
  getInvite(...a: Args<'getInvite'>) { return this.forward('getInvite', a) }
  getInviteByHash(...a: Args<'getInviteByHash'>) { return this.forward('getInviteByHash', a) }
  listInvites(...a: Args<'listInvites'>) { return this.forward('listInvites', a) }
  revokeInvite(...a: Args<'revokeInvite'>) { return this.forward('revokeInvite', a) }
  consumeInvite(...a: Args<'consumeInvite'>) { return this.forward('consumeInvite', a) }
  createMemberInvite(...a: Args<'createMemberInvite'>) { return this.forward('createMemberInvite', a) }
  getMemberInviteByHash(...a: Args<'getMemberInviteByHash'>) { return this.forward('getMemberInviteByHash', a) }
  listMemberInvites(...a: Args<'listMemberInvites'>) { return this.forward('listMemberInvites', a) }
  deleteMemberInvite(...a: Args<'deleteMemberInvite'>) { return this.forward('deleteMemberInvite', a) }
  useMemberInvite(...a: Args<'useMemberInvite'>) { return this.forward('useMemberInvite', a) }
  createToken(...a: Args<'createToken'>) { return this.forward('createToken', a) }
  getToken(...a: Args<'getToken'>) { return this.forward('getToken', a) }
  getTokenByHash(...a: Args<'getTokenByHash'>) { return this.forward('getTokenByHash', a) }
  listTokens(...a: Args<'listTokens'>) { return this.forward('listTokens', a) }
  revokeToken(...a: Args<'revokeToken'>) { return this.forward('revokeToken', a) }
  touchToken(...a: Args<'touchToken'>) { return this.forward('touchToken', a) }
  setReturnLink(...a: Args<'setReturnLink'>) { return this.forward('setReturnLink', a) }
  participantOfReturnLink(...a: Args<'participantOfReturnLink'>) { return this.forward('participantOfReturnLink', a) }
  deleteReturnLink(...a: Args<'deleteReturnLink'>) { return this.forward('deleteReturnLink', a) }
  recordMerge(...a: Args<'recordMerge'>) { return this.forward('recordMerge', a) }
  mergeOf(...a: Args<'mergeOf'>) { return this.forward('mergeOf', a) }
  listMerges(...a: Args<'listMerges'>) { return this.forward('listMerges', a) }
  secret(...a: Args<'secret'>) { return this.forward('secret', a) }
}

/** The handle a transaction's work receives: valid until the transaction ends. */
class Handle extends Delegate {
  constructor(
    private readonly lock: Lock,
    private readonly scope: Scope
  ) {
    super()
  }

  protected forward<K extends Key>(key: K, args: Args<K>): Result<K> {
    return this.lock.inside(this.scope, key, args)
  }

  /** A transaction inside a transaction joins it (there is one unit of work). */
  async transaction<T>(fn: (tx: IdentityStore) => T | Promise<T>): Promise<T> {
    if (!this.scope.open) throw new RangeError('identity store: transaction started on a transaction that has ended')
    return fn(this)
  }
}

/**
 * An {@link IdentityStore} over an {@link IdentityBackend}: contract rules [I13]-[I15].
 * @example
 *   const { participantId } = await store.transaction(async (tx) => {
 *     if ((await tx.consumeInvite(inviteId, new Date())) !== 'ok') throw new Error('used up')
 *     const p = await tx.createInvitee({ displayName: 'Carla', email: null })
 *     await tx.addMembership(panelId, p.id, 'customer')
 *     return { participantId: p.id }
 *   })
 */
export class TransactionalIdentityStore extends Delegate {
  private readonly lock: Lock

  constructor(backend: IdentityBackend) {
    super()
    this.lock = new Lock(backend)
  }

  protected forward<K extends Key>(key: K, args: Args<K>): Result<K> {
    return this.lock.outside(key, args)
  }

  transaction<T>(fn: (tx: IdentityStore) => T | Promise<T>): Promise<T> {
    return this.lock.transaction(fn)
  }
}
