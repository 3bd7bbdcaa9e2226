/**
 * One dispatcher for the server's review events (message 102, `shared/review-events.ts`) on a
 * spec's sync connection, so every live list (threads, the review panel, "My ideas") can listen
 * without fighting over the provider's single handler slot for the message type.
 *
 * Rules: a subscriber names the topics it re-reads; it is called, synchronously, with those of
 * them that changed (it should only schedule its re-read). After every (re)connection, once the document is synced, every
 * subscriber is called with all its topics: events sent while the socket was down are lost, so
 * the lists must re-read. A frame that cannot be parsed is logged and skipped.
 */
import type { WebsocketProvider } from 'y-websocket'
import { messageReview, readReviewEvent } from '../../shared/protocol.js'
import { parseReviewEvent, type ReviewTopic } from '../../shared/review-events.js'

/** Called with the subscribed topics that changed (never empty). */
export type ReviewListener = (topics: ReviewTopic[]) => void

interface Subscriber {
  topics: ReadonlySet<ReviewTopic>
  listener: ReviewListener
}

interface Dispatcher {
  subscribers: Set<Subscriber>
  detach(): void
}

const dispatchers = new WeakMap<WebsocketProvider, Dispatcher>()

const notify = (subscribers: Iterable<Subscriber>, changed: Iterable<ReviewTopic>): void => {
  const set = new Set(changed)
  for (const s of subscribers) {
    const topics = [...s.topics].filter((t) => set.has(t))
    if (topics.length === 0) continue
    try {
      s.listener(topics)
    } catch (error) {
      console.error('valence: review event listener failed', error)
    }
  }
}

const dispatcherOf = (provider: WebsocketProvider, specId: string): Dispatcher => {
  const existing = dispatchers.get(provider)
  if (existing) return existing
  const subscribers = new Set<Subscriber>()
  provider.messageHandlers[messageReview] = (_encoder, decoder) => {
    try {
      const event = parseReviewEvent(readReviewEvent(decoder))
      if (event.specId === specId) notify([...subscribers], event.topics)
    } catch (error) {
      console.error('valence: ignored a review event this client cannot read', error)
    }
  }
  const onSync = (synced: boolean): void => {
    if (synced) for (const s of [...subscribers]) notify([s], s.topics)
  }
  provider.on('sync', onSync)
  const dispatcher: Dispatcher = {
    subscribers,
    detach: () => {
      provider.off('sync', onSync)
      delete provider.messageHandlers[messageReview]
      dispatchers.delete(provider)
    }
  }
  dispatchers.set(provider, dispatcher)
  return dispatcher
}

/**
 * Calls `listener` whenever one of `topics` of spec `specId`'s review changes, and after every
 * reconnection. Returns a function that unsubscribes (the handler is removed with the last one).
 *
 * @example
 *   const stop = onReviewEvents(provider, specId, ['threads'], () => void refetchThreads())
 */
export const onReviewEvents = (
  provider: WebsocketProvider,
  specId: string,
  topics: readonly ReviewTopic[],
  listener: ReviewListener
): (() => void) => {
  const dispatcher = dispatcherOf(provider, specId)
  const subscriber: Subscriber = { topics: new Set(topics), listener }
  dispatcher.subscribers.add(subscriber)
  return () => {
    dispatcher.subscribers.delete(subscriber)
    if (dispatcher.subscribers.size === 0) dispatcher.detach()
  }
}
