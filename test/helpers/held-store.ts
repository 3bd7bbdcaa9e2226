/**
 * A DocStore whose commits can be held back, to prove durable-before-fan-out.
 */
import type { DocStore, StoredDoc } from '../../server/storage/doc-store.js'
import { MemoryDocStore } from '../../server/storage/memory.js'
import { AttributionEngine } from '../../server/attribution/index.js'

/** Wraps a memory store; while `hold()` is on, appends wait until `release()`. */
export class HeldDocStore implements DocStore {
  readonly inner = new MemoryDocStore({ foldFacts: AttributionEngine.fold })
  private gate: Promise<void> | null = null
  private open: (() => void) | null = null
  /** Appends that reached the store (committed or waiting). */
  appended = 0
  committed = 0

  hold(): void {
    this.gate ??= new Promise((resolve) => (this.open = resolve))
  }

  release(): void {
    this.open?.()
    this.gate = null
    this.open = null
  }

  load(name: string): Promise<StoredDoc> {
    return this.inner.load(name)
  }

  async append(name: string, update: Uint8Array, facts?: Uint8Array | null): Promise<void> {
    this.appended++
    if (this.gate) await this.gate
    await this.inner.append(name, update, facts)
    this.committed++
  }

  compact(name: string): Promise<void> {
    return this.inner.compact(name)
  }

  replace(name: string, snapshot: Uint8Array, facts: Uint8Array | null): Promise<void> {
    return this.inner.replace(name, snapshot, facts)
  }

  ping(): Promise<void> {
    return this.inner.ping()
  }

  close(): Promise<void> {
    return this.inner.close()
  }
}
