/**
 * In-memory storage: for tests and `STORAGE=memory`. Nothing survives the process.
 */
import type { DocStore, FoldFacts, StoredDoc, SpecRecord, SpecStore, Storage } from './doc-store.js'
import { foldUpdates } from './snapshot.js'
import { newSpecId } from './ids.js'
import { MemoryIdentityStore } from '../identity/memory.js'

/** Options of the memory stores. */
export interface MemoryStorageOptions {
  /** Folds attribution facts on `compact` ([S6]); the attribution layer provides it. */
  foldFacts: FoldFacts
}

/** A {@link DocStore} kept in a Map. Appends commit on the next microtask. */
export class MemoryDocStore implements DocStore {
  private readonly logs = new Map<string, Array<{ update: Uint8Array; facts: Uint8Array | null }>>()
  private readonly foldFacts: FoldFacts

  constructor(options: MemoryStorageOptions) {
    this.foldFacts = options.foldFacts
  }

  async load(name: string): Promise<StoredDoc> {
    const log = this.logs.get(name) ?? []
    return {
      updates: log.map((e) => e.update),
      facts: log.flatMap((e) => (e.facts ? [e.facts] : []))
    }
  }

  async append(name: string, update: Uint8Array, facts: Uint8Array | null = null): Promise<void> {
    const log = this.logs.get(name) ?? []
    // Copy: the caller may reuse its buffers.
    log.push({ update: update.slice(), facts: facts ? facts.slice() : null })
    this.logs.set(name, log)
  }

  async replace(name: string, snapshot: Uint8Array, facts: Uint8Array | null): Promise<void> {
    this.logs.set(name, [{ update: snapshot.slice(), facts: facts ? facts.slice() : null }])
  }

  async compact(name: string): Promise<void> {
    const log = this.logs.get(name)
    if (!log || log.length < 2) return
    const folded = log.slice()
    const facts = folded.flatMap((e) => (e.facts ? [e.facts] : []))
    const snapshot = {
      update: foldUpdates(folded.map((e) => e.update)),
      facts: facts.length > 0 ? this.foldFacts(facts) : null
    }
    // Appends made while folding stay after the snapshot ([S3]).
    this.logs.set(name, [snapshot, ...log.slice(folded.length)])
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}

/** A {@link SpecStore} kept in a Map. */
export class MemorySpecStore implements SpecStore {
  private readonly specs = new Map<string, SpecRecord & { deleted: boolean }>()

  async list(): Promise<SpecRecord[]> {
    return [...this.specs.values()]
      .filter((s) => !s.deleted)
      .map(strip)
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
  }

  async create(title: string): Promise<SpecRecord> {
    const now = new Date().toISOString()
    const record = { id: newSpecId(), title, createdAt: now, updatedAt: now, lastEditedBy: null, deleted: false }
    this.specs.set(record.id, record)
    return strip(record)
  }

  async get(id: string): Promise<SpecRecord | null> {
    const s = this.specs.get(id)
    return s && !s.deleted ? strip(s) : null
  }

  async rename(id: string, title: string): Promise<SpecRecord | null> {
    const s = this.specs.get(id)
    if (!s || s.deleted) return null
    s.title = title
    s.updatedAt = new Date().toISOString()
    return strip(s)
  }

  async softDelete(id: string): Promise<boolean> {
    const s = this.specs.get(id)
    if (!s || s.deleted) return false
    s.deleted = true
    return true
  }

  async touch(id: string, at: string, by: string): Promise<void> {
    const s = this.specs.get(id)
    if (!s || s.deleted) return
    s.lastEditedBy = by
    if (at > s.updatedAt) s.updatedAt = at
  }
}

const strip = ({ id, title, createdAt, updatedAt, lastEditedBy }: SpecRecord): SpecRecord => ({
  lastEditedBy,
  id,
  title,
  createdAt,
  updatedAt
})

/** Memory-backed {@link Storage}. */
export function createMemoryStorage(options: MemoryStorageOptions): Storage {
  return {
    docs: new MemoryDocStore(options),
    specs: new MemorySpecStore(),
    identity: new MemoryIdentityStore(),
    close: async () => {}
  }
}
