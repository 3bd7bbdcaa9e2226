/**
 * Group commit: work items submitted within a short window are committed together in one
 * storage transaction, so durable-before-fan-out costs one fsync per batch rather than one per
 * update.
 */

interface Pending<T> {
  item: T
  resolve: () => void
  reject: (err: unknown) => void
}

/**
 * Batches submitted items and hands them, in submission order, to `commit`. Each `submit`
 * promise settles with its batch. Batches never overlap: the next one starts after the previous
 * commit settled, which keeps resolution in submission order.
 */
export class GroupCommitter<T> {
  private queue: Pending<T>[] = []
  private timer: ReturnType<typeof setTimeout> | null = null
  private running: Promise<void> | null = null

  constructor(
    private readonly commit: (items: T[]) => void | Promise<void>,
    private readonly windowMs: number
  ) {}

  /** Queues `item`; resolves once the batch holding it committed. */
  submit(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject })
      this.schedule()
    })
  }

  /** Commits everything queued now; resolves when the queue is empty. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer)
      this.timer = null
    }
    while (this.running || this.queue.length > 0) {
      if (this.running) await this.running
      else await this.runBatch()
    }
  }

  private schedule(): void {
    if (this.timer || this.running) return
    this.timer = setTimeout(() => {
      this.timer = null
      // runBatch never rejects: a failed commit rejects each queued item's own promise.
      this.runBatch().catch(() => {})
    }, this.windowMs)
  }

  private runBatch(): Promise<void> {
    const batch = this.queue
    this.queue = []
    const run = (async () => {
      try {
        await this.commit(batch.map((p) => p.item))
        for (const p of batch) p.resolve()
      } catch (err) {
        for (const p of batch) p.reject(err)
      }
    })()
    this.running = run.finally(() => {
      this.running = null
      // Items that arrived while this batch committed form the next batch.
      if (this.queue.length > 0) this.schedule()
    })
    return this.running
  }
}
