/**
 * The client's review-event dispatcher (client/collab/review-events.ts): one handler of message
 * 102 on the provider, fanned out by topic to every subscriber, everything again after each
 * sync, unreadable frames and other specs' events skipped, the handler gone with the last
 * subscriber. Driven with a stand-in provider (the handler slot and the `sync` event).
 */
import { describe, expect, it, vi } from 'vitest'
import * as decoding from 'lib0/decoding'
import type { WebsocketProvider } from 'y-websocket'
import { encodeReviewEvent, messageReview } from '../../shared/protocol.js'
import type { ReviewTopic } from '../../shared/review-events.js'
import { onReviewEvents } from '../../client/collab/review-events.js'

type Handler = (encoder: unknown, decoder: decoding.Decoder) => void

/** The parts of a WebsocketProvider the dispatcher uses. */
const fakeProvider = () => {
  const listeners = new Set<(synced: boolean) => void>()
  const provider = {
    messageHandlers: [] as Handler[],
    on: (_event: 'sync', fn: (synced: boolean) => void) => listeners.add(fn),
    off: (_event: 'sync', fn: (synced: boolean) => void) => listeners.delete(fn)
  }
  /** Delivers a frame as y-websocket does: the type is read, then the handler gets the rest. */
  const deliver = (frame: Uint8Array): void => {
    const decoder = decoding.createDecoder(frame)
    const type = decoding.readVarUint(decoder)
    provider.messageHandlers[type]?.(null, decoder)
  }
  const sync = (): void => listeners.forEach((fn) => fn(true))
  return { provider, asProvider: provider as unknown as WebsocketProvider, deliver, sync, listeners }
}

const event = (specId: string, topics: ReviewTopic[]): Uint8Array => encodeReviewEvent(JSON.stringify({ specId, topics }))

describe('review events on the client', () => {
  it('hands each subscriber the topics it asked for, for its spec only', () => {
    const { asProvider, deliver } = fakeProvider()
    const threads: ReviewTopic[][] = []
    const review: ReviewTopic[][] = []
    onReviewEvents(asProvider, 's1', ['threads'], (t) => threads.push(t))
    onReviewEvents(asProvider, 's1', ['contributions', 'threads', 'removals'], (t) => review.push(t))
    deliver(event('s1', ['threads', 'removals']))
    deliver(event('s1', ['decisions']))
    deliver(event('s2', ['threads']))
    expect(threads).toEqual([['threads']])
    expect(review).toEqual([['threads', 'removals']])
  })

  it('calls everyone with all their topics after each sync', () => {
    const { asProvider, sync } = fakeProvider()
    const calls: ReviewTopic[][] = []
    onReviewEvents(asProvider, 's1', ['threads', 'settings'], (t) => calls.push(t))
    sync()
    sync()
    expect(calls).toEqual([
      ['threads', 'settings'],
      ['threads', 'settings']
    ])
  })

  it('skips frames it cannot read and keeps going, even past a failing listener', () => {
    const { asProvider, deliver } = fakeProvider()
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    const calls: ReviewTopic[][] = []
    onReviewEvents(asProvider, 's1', ['threads'], () => {
      throw new Error('listener bug')
    })
    onReviewEvents(asProvider, 's1', ['threads'], (t) => calls.push(t))
    deliver(encodeReviewEvent('{"specId":"s1","topics":["nonsense"]}'))
    deliver(encodeReviewEvent('not json'))
    deliver(event('s1', ['threads']))
    expect(calls).toEqual([['threads']])
    expect(error).toHaveBeenCalledTimes(3)
    error.mockRestore()
  })

  it('removes its handler and sync listener with the last subscriber', () => {
    const { provider, asProvider, listeners } = fakeProvider()
    const stopA = onReviewEvents(asProvider, 's1', ['threads'], () => {})
    const stopB = onReviewEvents(asProvider, 's1', ['removals'], () => {})
    expect(provider.messageHandlers[messageReview]).toBeTypeOf('function')
    stopA()
    expect(provider.messageHandlers[messageReview]).toBeTypeOf('function')
    stopB()
    expect(provider.messageHandlers[messageReview]).toBeUndefined()
    expect(listeners.size).toBe(0)
  })
})
