/**
 * A DocStore whose commits can be held back, to prove durable-before-fan-out: the gate of
 * {@link GatedDocStore} in front of a memory store, counting appends that reached it and those
 * that committed.
 */
import { MemoryDocStore } from '../../server/storage/memory.js'
import { AttributionEngine } from '../../server/attribution/index.js'
import { GatedDocStore } from './gated-store.js'

/**
 * A memory store behind a gate; while `hold()` is on, appends wait until `release()`. The counts
 * start again at each `hold()`, so a test counts what its own edit appended, not how its spec was
 * made (creating one appends its skeleton and its title).
 */
export class HeldDocStore extends GatedDocStore {
  /** Appends that reached the store (committed or waiting) since the last `hold()`. */
  appended = 0
  committed = 0

  constructor() {
    super(new MemoryDocStore({ foldFacts: AttributionEngine.fold }))
  }

  override hold(): void {
    this.appended = 0
    this.committed = 0
    super.hold()
  }

  override async append(name: string, update: Uint8Array, facts?: Uint8Array | null): Promise<void> {
    this.appended++
    await super.append(name, update, facts)
    this.committed++
  }
}
