/**
 * Storage seams. A {@link DocStore} keeps each spec's Yjs update log; a {@link SpecStore} keeps
 * spec metadata. Every implementation (memory, SQLite, later Postgres) passes the contract suite
 * in test/contract, whose numbered rules are cited here.
 */
import type { IdentityStore } from '../identity/identity-store.js'

/**
 * Durable log of Yjs updates per document name.
 *
 * - [S1] `load` returns every committed update of `name` in commit order (a compacted snapshot
 *   first, if any); an unknown name yields `[]`.
 * - [S2] `append` resolves only after the update is durably committed; appends resolve in call
 *   order, and a rejected append means the update was not stored.
 * - [S3] `compact` replaces everything committed so far with one snapshot that applies to the same
 *   document state, atomically: a concurrent `append` is never lost and a crash leaves either the
 *   old log or the new snapshot.
 * - [S4] Names are isolated: nothing done to one name changes another.
 * - [S5] `close` commits every append already accepted, then releases resources.
 * - [S6] The attribution facts given to `append` are committed in the same write as the update:
 *   `load` returns them in commit order beside the updates (a crash never leaves an update
 *   without its facts), and `compact` folds them into one facts snapshot (with the
 *   {@link FoldFacts} the store was built with) in the same transaction as the document snapshot.
 * - [S7] `replace` swaps everything stored for `name` (snapshot and log, facts included) for
 *   the given snapshot and facts snapshot, atomically: `load` returns exactly those afterwards,
 *   and a crash leaves either the old state or the new one. Unlike `compact`, the caller
 *   chooses the state; it must ensure nothing is appended to `name` meanwhile (a room does it
 *   while loading, before it accepts updates: see sync/quarantine.ts).
 */
export interface DocStore {
  load(name: string): Promise<StoredDoc>
  append(name: string, update: Uint8Array, facts?: Uint8Array | null): Promise<void>
  compact(name: string): Promise<void>
  replace(name: string, snapshot: Uint8Array, facts: Uint8Array | null): Promise<void>
  /** Resolves if the backing storage answers (readiness probe). */
  ping(): Promise<void>
  close(): Promise<void>
}

/**
 * Folds a spec's attribution facts (a snapshot followed by deltas, in commit order) into one
 * snapshot, for `compact` ([S6]). Storage keeps facts as opaque bytes and never decodes them:
 * the attribution layer supplies this (server/service.ts passes `AttributionEngine.fold`).
 */
export type FoldFacts = (facts: readonly Uint8Array[]) => Uint8Array

/** What `load` returns: the update log and the attribution facts stored with it, in order. */
export interface StoredDoc {
  updates: Uint8Array[]
  facts: Uint8Array[]
}

/** A spec's metadata as stored. Timestamps are ISO-8601 strings. */
export interface SpecRecord {
  id: string
  title: string
  createdAt: string
  /** When its title or document last changed. */
  updatedAt: string
  /** Participant id of whoever last edited its document; null before the first edit. */
  lastEditedBy: string | null
}

/**
 * Spec metadata.
 *
 * - [M1] `create` returns a record with a fresh unique id that `get` then returns.
 * - [M2] `list` returns live specs, most recently updated first.
 * - [M3] `rename` changes the title and `updatedAt`; unknown or deleted ids yield `null`.
 * - [M4] `softDelete` hides a spec from `get`/`list`/`rename` and returns whether it existed;
 *   its document log is kept.
 * - [M5] `touch(id, at, by)` records an edit of the document: `lastEditedBy` becomes `by` and
 *   `updatedAt` becomes `at` unless it is already later (touches may arrive out of order);
 *   unknown or deleted ids are ignored. The rooms call it debounced (server/sync/edit-activity.ts).
 */
export interface SpecStore {
  list(): Promise<SpecRecord[]>
  create(title: string): Promise<SpecRecord>
  get(id: string): Promise<SpecRecord | null>
  rename(id: string, title: string): Promise<SpecRecord | null>
  softDelete(id: string): Promise<boolean>
  touch(id: string, at: string, by: string): Promise<void>
}

/** Everything one storage backend provides. */
export interface Storage {
  docs: DocStore
  specs: SpecStore
  /** Accounts, sessions, panels, invites and tokens (server/identity/identity-store.ts). */
  identity: IdentityStore
  close(): Promise<void>
}
