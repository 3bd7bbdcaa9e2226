/**
 * The actions behind a rendered thread (reply, resolve, reopen) against the HTTP API, with the
 * per-thread "busy" and error state the thread view shows. One instance per place that shows
 * threads; it implements the action half of {@link ThreadContext}.
 *
 * Rules: one action at a time per thread; a failed action keeps what was typed and shows the
 * server's message; a successful one hands the server's updated thread to `onThread` (the list
 * also re-reads on the live event that follows).
 */
import type { ThreadView } from '../../shared/api-threads.js'
import { reopenThread, replyToThread, resolveThread } from '../api/threads.js'
import { messageOf } from '../ui/dom.js'
import type { ThreadContext, ThreadUiStatus } from './thread-view.js'

/** What {@link ThreadActions} reports to its owner. */
export interface ThreadActionsOptions {
  specId: string
  /** The server's copy of a thread after a successful action of kind `done`. */
  onThread(thread: ThreadView, done: ThreadAction): void
  /** Something shown changed (busy or error state): render again. */
  rerender(): void
}

const IDLE: ThreadUiStatus = { busy: null, error: '' }

/** The actions on an existing thread. */
export type ThreadAction = NonNullable<ThreadUiStatus['busy']>

/** Reply, resolve and reopen with their per-thread state. */
export class ThreadActions implements Pick<ThreadContext, 'status' | 'reply' | 'resolve' | 'reopen'> {
  private readonly states = new Map<string, ThreadUiStatus>()

  constructor(private readonly options: ThreadActionsOptions) {}

  status = (threadId: string): ThreadUiStatus => this.states.get(threadId) ?? IDLE

  reply = (thread: ThreadView, body: string): Promise<boolean> =>
    this.run(thread, 'reply', () => replyToThread(this.options.specId, thread.id, body))

  resolve = (thread: ThreadView): void => {
    void this.run(thread, 'resolve', () => resolveThread(this.options.specId, thread.id))
  }

  reopen = (thread: ThreadView): void => {
    void this.run(thread, 'reopen', () => reopenThread(this.options.specId, thread.id))
  }

  private async run(thread: ThreadView, busy: ThreadAction, call: () => Promise<ThreadView>): Promise<boolean> {
    if (this.status(thread.id).busy !== null) return false
    // Why: the button is disabled while busy, and Resolve/Reopen moves the thread in its list
    // (lit's keyed repeat moves the same element); the browser drops focus on either, so a
    // keyboard user would land on the page body. The same element gets it back when done.
    const focused = typeof document === 'undefined' ? null : document.activeElement
    this.set(thread.id, { busy, error: '' })
    try {
      const updated = await call()
      this.set(thread.id, IDLE)
      this.options.onThread(updated, busy)
      return true
    } catch (error) {
      this.set(thread.id, { busy: null, error: messageOf(error, 'That did not work. Please try again.') })
      return false
    } finally {
      if (focused instanceof HTMLElement && focused.isConnected && document.activeElement !== focused) focused.focus()
    }
  }

  private set(threadId: string, status: ThreadUiStatus): void {
    if (status === IDLE) this.states.delete(threadId)
    else this.states.set(threadId, status)
    this.options.rerender()
  }
}
