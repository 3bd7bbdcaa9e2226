/**
 * How big a spec's stored state is allowed to grow, estimated cheaply.
 *
 * Measuring exactly (`Y.encodeStateAsUpdate(doc).length`) costs time proportional to the spec,
 * so it is not done per update. The estimate is the last exact size plus the bytes of every
 * update applied since (an upper bound: deletions shrink the state, and an update's encoding is
 * never much smaller than what it adds). Only when the estimate would cross the limit is the
 * spec measured again, and then only if an eighth of the limit was added since the last
 * measurement (so measuring costs at most a constant per byte written) or `remeasureMs` passed
 * (so deletions, which the estimate does not subtract, free room within that time). A room that
 * churns, replacing its text over and over, is therefore never refused for bytes it no longer
 * holds, and an update near the limit cannot make every following update pay for a full encode.
 */

/** Options of a {@link SpecSize}. */
export interface SpecSizeOptions {
  /** Largest allowed state, in bytes. */
  maxBytes: number
  /** Measures the exact current size (the encoded Yjs state). */
  measure: () => number
  /** Least time between two exact measurements prompted by time alone (ms). Default 1 s. */
  remeasureMs?: number
  /** Clock (ms); injected in tests. */
  now?: () => number
}

/** The size estimate of one room's spec. */
export class SpecSize {
  private estimate: number
  private measuredAt: number
  /** Bytes added to the estimate since the last measurement. */
  private added = 0
  private readonly remeasureMs: number
  private readonly now: () => number

  constructor(private readonly opts: SpecSizeOptions) {
    this.now = opts.now ?? Date.now
    this.remeasureMs = opts.remeasureMs ?? 1000
    this.estimate = opts.measure()
    this.measuredAt = this.now()
  }

  /** The current estimate in bytes (at least the exact size). */
  get bytes(): number {
    return this.estimate
  }

  /**
   * True if an update of `updateBytes` may be applied without the spec outgrowing the limit.
   * Does not count it; call {@link add} once it is applied.
   */
  admits(updateBytes: number): boolean {
    if (this.estimate + updateBytes <= this.opts.maxBytes) return true
    const now = this.now()
    if (this.added < this.opts.maxBytes / 8 && now - this.measuredAt < this.remeasureMs) return false
    this.estimate = this.opts.measure()
    this.measuredAt = now
    this.added = 0
    return this.estimate + updateBytes <= this.opts.maxBytes
  }

  /** Counts an applied update. */
  add(updateBytes: number): void {
    this.estimate += updateBytes
    this.added += updateBytes
  }
}

/** An update was refused because the spec would outgrow `MAX_SPEC_BYTES`; nothing was applied. */
export class SpecTooLargeError extends Error {
  constructor(
    readonly estimatedBytes: number,
    readonly updateBytes: number,
    readonly maxBytes: number
  ) {
    super(`spec of about ${estimatedBytes} bytes cannot take an update of ${updateBytes} bytes (limit ${maxBytes})`)
    this.name = 'SpecTooLargeError'
  }
}
