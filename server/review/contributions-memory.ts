/** In-memory {@link ContributionStore}: for tests and `STORAGE=memory`. Nothing survives the process. */
import { byCreation, checkRecords, copyRecord, type ContributionRecord, type ContributionStore } from './contribution-store.js'

/** A {@link ContributionStore} kept in Maps. Records are copied in and out. */
export class MemoryContributionStore implements ContributionStore {
  private readonly specs = new Map<string, Map<string, ContributionRecord>>()

  async save(records: readonly ContributionRecord[]): Promise<void> {
    checkRecords(records)
    for (const r of records) {
      let spec = this.specs.get(r.specId)
      if (!spec) this.specs.set(r.specId, (spec = new Map()))
      const old = spec.get(r.id)
      const next = copyRecord(r)
      if (old) Object.assign(next, { participantId: old.participantId, panelIds: old.panelIds, createdAt: old.createdAt })
      spec.set(r.id, next)
    }
  }

  async list(specId: string, participantId?: string): Promise<ContributionRecord[]> {
    const all = [...(this.specs.get(specId)?.values() ?? [])]
    return all.filter((r) => participantId === undefined || r.participantId === participantId).sort(byCreation).map(copyRecord)
  }

  async close(): Promise<void> {}
}
