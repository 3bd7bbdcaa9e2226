/**
 * The review-events bus: whatever changes a spec's review (a decision, a thread, a removal, a
 * contributions pass, a settings change) publishes the topic here, and the room registry
 * delivers it to the spec's live connections as a `messageReview` frame.
 *
 * Why coalesce: one HTTP call may touch several topics, and a contributions pass may follow a
 * decision within the same tick; subscribers get one event per spec per macrotask, listing every
 * topic that changed, so a burst costs clients one re-read.
 *
 * Scale-out: this in-process bus is the seam. Several instances will publish through Redis
 * (one channel per deployment) and deliver locally; nothing else needs to change.
 */
import { reviewEventOf, type ReviewEvent, type ReviewTopic } from '../../shared/review-events.js'

/** Receives coalesced events. */
export type ReviewListener = (event: ReviewEvent) => void

/** Publishes review changes; see the file header. */
export interface ReviewEvents {
  /** Records that `topic` of spec `specId` changed; delivered once the current macrotask ends. */
  publish(specId: string, topic: ReviewTopic): void
  /** Adds a listener; returns its removal. */
  subscribe(listener: ReviewListener): () => void
}

/** The in-process {@link ReviewEvents}. */
export class LocalReviewEvents implements ReviewEvents {
  private readonly listeners = new Set<ReviewListener>()
  private readonly pending = new Map<string, Set<ReviewTopic>>()
  private timer: ReturnType<typeof setImmediate> | null = null

  publish(specId: string, topic: ReviewTopic): void {
    let topics = this.pending.get(specId)
    if (topics === undefined) this.pending.set(specId, (topics = new Set()))
    topics.add(topic)
    this.timer ??= setImmediate(() => this.deliver())
  }

  subscribe(listener: ReviewListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private deliver(): void {
    this.timer = null
    const batch = [...this.pending]
    this.pending.clear()
    for (const [specId, topics] of batch) {
      const event = reviewEventOf(specId, topics)
      // A listener that throws must not keep the event from the others.
      for (const listener of this.listeners) {
        try {
          listener(event)
        } catch {
          // Listeners log their own failures; the bus has no logger and must not die.
        }
      }
    }
  }
}
