/**
 * A DocStore wrapper whose appends can be held at a gate and let through together, so a test
 * decides which updates share one group commit of the real store behind it.
 */
import type { DocStore, StoredDoc } from '../../server/storage/doc-store.js'

/** Wraps any {@link DocStore}; while `hold()` is on, appends wait; `release()` passes them on in order, in one tick. */
export class GatedDocStore implements DocStore {
  private gate: Promise<void> | null = null
  private open: (() => void) | null = null
  /** Appends waiting at the gate. */
  waiting = 0

  constructor(readonly inner: DocStore) {}

  hold(): void {
    this.gate ??= new Promise((resolve) => (this.open = resolve))
  }

  /** Lets every waiting append through; they reach the inner store in call order, in the same tick. */
  release(): void {
    this.open?.()
    this.gate = null
    this.open = null
  }

  load(name: string): Promise<StoredDoc> {
    return this.inner.load(name)
  }

  async append(name: string, update: Uint8Array, facts?: Uint8Array | null): Promise<void> {
    if (this.gate) {
      this.waiting++
      await this.gate
      this.waiting--
    }
    return this.inner.append(name, update, facts)
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
