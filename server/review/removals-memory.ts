/** In-memory {@link RemovalStore}: for tests and `STORAGE=memory`. Nothing survives the process. */
import { byRemoval, checkRemoval, copyRemoval, type RemovalPatch, type RemovalRecord, type RemovalStore } from './removal-store.js'

/** A {@link RemovalStore} kept in Maps. Records are copied in and out. */
export class MemoryRemovalStore implements RemovalStore {
  private readonly specs = new Map<string, Map<string, RemovalRecord>>()

  async add(record: RemovalRecord): Promise<void> {
    checkRemoval(record)
    let spec = this.specs.get(record.specId)
    if (!spec) this.specs.set(record.specId, (spec = new Map()))
    if (spec.has(record.id)) throw new RangeError(`removal ${record.id} exists`)
    spec.set(record.id, copyRemoval(record))
  }

  async list(specId: string, authorId?: string): Promise<RemovalRecord[]> {
    const all = [...(this.specs.get(specId)?.values() ?? [])]
    return all.filter((r) => authorId === undefined || r.authorId === authorId).sort(byRemoval).map(copyRemoval)
  }

  async get(specId: string, id: string): Promise<RemovalRecord | null> {
    const r = this.specs.get(specId)?.get(id)
    return r ? copyRemoval(r) : null
  }

  async transition(specId: string, id: string, from: ReadonlyArray<RemovalRecord['status']>, patch: RemovalPatch): Promise<RemovalRecord | null> {
    const r = this.specs.get(specId)?.get(id)
    if (!r || !from.includes(r.status)) return null
    Object.assign(r, { status: patch.status, restoredBy: patch.restoredBy, restoredByRole: patch.restoredByRole, restoredAt: patch.restoredAt })
    return copyRemoval(r)
  }

  async close(): Promise<void> {}
}
