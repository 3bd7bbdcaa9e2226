/**
 * In-memory {@link ReviewStore}: for tests and `STORAGE=memory`. Nothing survives the process.
 * `append` does all its work before its promise settles (no awaits inside), so appends on one
 * spec are serialised by the event loop itself ([R7]).
 */
import type { DecisionCounts, DecisionEntry } from '../../shared/api-review.js'
import { checkNewDecision, nextEntry, zeroCounts } from './ledger.js'
import type { NewDecision, ReviewStore } from './review-store.js'

/** One spec's ledger and, per subject, the index of its latest entry. */
interface Ledger {
  entries: DecisionEntry[]
  latest: Map<string, number>
}

/** A {@link ReviewStore} kept in Maps. Entries are copied in and out. */
export class MemoryReviewStore implements ReviewStore {
  private readonly ledgers = new Map<string, Ledger>()

  async append(decision: NewDecision): Promise<DecisionEntry> {
    checkNewDecision(decision)
    let ledger = this.ledgers.get(decision.specId)
    if (!ledger) this.ledgers.set(decision.specId, (ledger = { entries: [], latest: new Map() }))
    const head = ledger.entries.at(-1) ?? null
    const previous = ledger.latest.get(decision.subjectId)
    const supersedes = previous === undefined ? null : ledger.entries[previous]!.seq
    const entry = nextEntry(decision, head, supersedes, new Date().toISOString())
    ledger.entries.push(entry)
    ledger.latest.set(entry.subjectId, ledger.entries.length - 1)
    return { ...entry }
  }

  async history(specId: string): Promise<DecisionEntry[]> {
    return (this.ledgers.get(specId)?.entries ?? []).map((e) => ({ ...e }))
  }

  async current(specId: string): Promise<DecisionEntry[]> {
    const ledger = this.ledgers.get(specId)
    if (!ledger) return []
    return [...ledger.latest.values()].sort((a, b) => a - b).map((i) => ({ ...ledger.entries[i]! }))
  }

  async countsByState(specId: string): Promise<DecisionCounts> {
    const counts = zeroCounts()
    const ledger = this.ledgers.get(specId)
    for (const i of ledger?.latest.values() ?? []) counts[ledger!.entries[i]!.state]++
    return counts
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}
