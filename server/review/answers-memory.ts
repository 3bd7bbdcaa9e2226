/** In-memory {@link AnswersStore}: for tests and `STORAGE=memory`. Nothing survives the process. */
import { canonicalInstant, checkId, DEFAULT_DIGEST, later, type AnswersStore, type DigestState } from './answers-store.js'

/** An {@link AnswersStore} kept in Maps; rules [A1]-[A5], [A7] (server/review/answers-store.ts). */
export class MemoryAnswersStore implements AnswersStore {
  private readonly publicSpecs = new Map<string, boolean>()
  private readonly teamExportSpecs = new Map<string, boolean>()
  /** participant -> spec -> mark */
  private readonly seen = new Map<string, Map<string, string>>()
  private readonly digests = new Map<string, DigestState>()

  async decisionsPublic(specId: string): Promise<boolean> {
    checkId('spec', specId)
    return this.publicSpecs.get(specId) ?? false
  }

  async setDecisionsPublic(specId: string, value: boolean): Promise<void> {
    checkId('spec', specId)
    this.publicSpecs.set(specId, value)
  }

  async teamMayExport(specId: string): Promise<boolean> {
    checkId('spec', specId)
    return this.teamExportSpecs.get(specId) ?? false
  }

  async setTeamMayExport(specId: string, value: boolean): Promise<void> {
    checkId('spec', specId)
    this.teamExportSpecs.set(specId, value)
  }

  async seenUpTo(participantId: string, specId: string): Promise<string | null> {
    checkId('participant', participantId)
    checkId('spec', specId)
    return this.seen.get(participantId)?.get(specId) ?? null
  }

  async markSeen(participantId: string, specId: string, upTo: string): Promise<string> {
    checkId('participant', participantId)
    checkId('spec', specId)
    const at = canonicalInstant(upTo)
    let marks = this.seen.get(participantId)
    if (!marks) this.seen.set(participantId, (marks = new Map()))
    const mark = later(marks.get(specId) ?? null, at)
    marks.set(specId, mark)
    return mark
  }

  async seenOf(participantId: string): Promise<Map<string, string>> {
    checkId('participant', participantId)
    return new Map(this.seen.get(participantId) ?? [])
  }

  async digest(participantId: string): Promise<DigestState> {
    checkId('participant', participantId)
    return { ...(this.digests.get(participantId) ?? DEFAULT_DIGEST) }
  }

  async setDigestEnabled(participantId: string, enabled: boolean): Promise<void> {
    checkId('participant', participantId)
    this.digests.set(participantId, { ...(await this.digest(participantId)), enabled })
  }

  async advanceMailed(participantId: string, upTo: string): Promise<void> {
    checkId('participant', participantId)
    const at = canonicalInstant(upTo)
    const current = await this.digest(participantId)
    this.digests.set(participantId, { ...current, mailedUpTo: later(current.mailedUpTo, at) })
  }

  async close(): Promise<void> {}
}
