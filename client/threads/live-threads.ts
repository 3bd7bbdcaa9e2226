/**
 * A spec's threads, live: fetches them, hands them to the editor's threads plugin (highlights)
 * and renders the threads list into a host (the side panel's Comments tab) and the contributions'
 * conversations, re-reading on every `threads` review event and after every reconnection.
 *
 * Rules: reads never overlap (an event during a read schedules one more read); the newest
 * answer wins. The list and the highlights show the same threads (the plugin state is the one
 * copy). Replies from others are announced politely; the person's own actions are announced
 * as done. Opening a thread from the text (click, or the comment shortcut on its text) shows the
 * host and, from the keyboard, moves focus to the thread's reply box.
 */
import { render } from 'lit-html'
import type { Plugin } from 'prosemirror-state'
import type { EditorView } from 'prosemirror-view'
import type { WebsocketProvider } from 'y-websocket'
import type { ThreadView } from '../../shared/api-threads.js'
import { can, type Role } from '../../shared/permissions.js'
import { createThread, listThreads } from '../api/threads.js'
import { onReviewEvents } from '../collab/review-events.js'
import { shortcutText } from '../editor/toolbar.js'
import { resolveAnchors } from './anchors.js'
import { COMMENT_SHORTCUT, setActiveThread, setThreads, setThreadsReady, threadsKey, type Draft, type ThreadsState } from './commands.js'
import { threadsPlugin } from './plugin.js'
import { Announcer } from './announcer.js'
import { ThreadActions, type ThreadAction } from './thread-actions.js'
import { contributionAt, ContributionThreads, type ContributionPlace } from './contribution-threads.js'
import { replyInputId, threadElementId, type ThreadContext } from './thread-view.js'
import { renderThreadsList, type ThreadFilter } from './threads-list.js'

/** Where the threads list lives: a panel (or a panel's tab) the page can show. */
export interface ThreadsHost {
  /** Element the list renders into. */
  readonly container: HTMLElement
  /** Shows the panel on the threads list (focus stays where it is). */
  open(): void
  /** Number of open threads, for a badge on the button that opens the list. */
  setCount?(open: number): void
}

/** Who is signed in. */
export interface ThreadsPerson {
  participantId: string
  role: Role
}

const ID_PREFIX = 'thread'

/** What is announced once the person's own action is done. */
const DONE: Record<ThreadAction | 'created', string> = {
  created: 'Comment posted.',
  reply: 'Reply posted.',
  resolve: 'Thread resolved.',
  reopen: 'Thread reopened.'
}

const excerpt = (text: string, max = 80): string => (text.length > max ? `${text.slice(0, max)}…` : text)

/** The live threads of one spec. */
export class LiveThreads {
  /** The editor plugin; pass it to the editor before calling {@link attach}. */
  readonly plugin: Plugin<ThreadsState>
  private view: EditorView | null = null
  private host: ThreadsHost | null = null
  private filter: ThreadFilter = 'all'
  private readonly announcer = new Announcer()
  private reading = false
  private readAgain = false
  private loaded = false
  private stopEvents: (() => void) | null = null
  private readonly actions: ThreadActions
  private readonly ctx: ThreadContext
  private readonly shortcut = shortcutText(COMMENT_SHORTCUT.replace(/-m$/, '-M'))
  private readonly conversations: ContributionThreads
  private contributions: () => readonly ContributionPlace[] = () => []

  constructor(
    private readonly specId: string,
    private readonly me: ThreadsPerson
  ) {
    this.plugin = threadsPlugin({ post: this.post, onChange: this.onChange })
    this.actions = new ThreadActions({
      specId,
      onThread: (thread, done) => this.merge(thread, done),
      rerender: () => this.render()
    })
    this.ctx = {
      me,
      idPrefix: ID_PREFIX,
      status: this.actions.status,
      reply: this.actions.reply,
      resolve: this.actions.resolve,
      reopen: this.actions.reopen,
      show: (thread) => this.show(thread),
      isActive: (id) => this.state()?.activeId === id
    }
    this.conversations = new ContributionThreads({
      specId,
      ctx: this.ctx,
      threads: () => {
        const state = this.state()
        return state ? this.shownThreads(state) : []
      },
      contributions: () => this.contributions(),
      onCreated: (thread) => this.merge(thread, 'created')
    })
  }

  /**
   * Starts fetching and listening, and renders the list into `host` from now on. `contributions`
   * (as the review data last read them) lets comments and conversations know their contribution.
   *
   * @example
   *   const threads = new LiveThreads(specId, me)
   *   const view = createSpecEditor({ ..., plugins: [threads.plugin] })
   *   threads.attach(view, provider, threadsTab(review.sidePanel, byId("review-toggles")))
   */
  attach(view: EditorView, provider: WebsocketProvider, host: ThreadsHost, contributions?: () => readonly ContributionPlace[]): void {
    this.view = view
    this.host = host
    if (contributions) this.contributions = contributions
    const stop = onReviewEvents(provider, this.specId, ['threads'], () => void this.read())
    const onSync = (synced: boolean): void => {
      if (synced && !view.isDestroyed) setThreadsReady(view.state, view.dispatch)
    }
    provider.on('sync', onSync)
    if (provider.synced) onSync(true)
    this.stopEvents = () => {
      stop()
      provider.off('sync', onSync)
    }
    this.render()
    void this.read()
  }

  destroy(): void {
    this.stopEvents?.()
    this.stopEvents = null
    if (this.host) render('', this.host.container)
    this.conversations.destroy()
    this.announcer.destroy()
    this.view = null
  }

  /**
   * Renders the conversation of contribution `contributionId` into `container` and keeps it
   * live (review items, "My ideas"); see `contribution-threads.ts`.
   */
  readonly embed = (container: HTMLElement, contributionId: string): void => this.conversations.embed(container, contributionId)

  /** Renders the list and the conversations again (e.g. the contributions were read again). */
  readonly refresh = (): void => this.render()

  private state(): ThreadsState | null {
    return this.view ? (threadsKey.getState(this.view.state) ?? null) : null
  }

  /** Re-reads the threads (at most one read at a time; see the file header). */
  private async read(): Promise<void> {
    if (this.reading) {
      this.readAgain = true
      return
    }
    this.reading = true
    try {
      do {
        this.readAgain = false
        try {
          this.apply(await listThreads(this.specId))
        } catch (error) {
          // Offline or a server hiccup: the next event or reconnection reads again.
          console.warn('valence: could not read the threads', error)
        }
      } while (this.readAgain)
    } finally {
      this.reading = false
    }
  }

  /** Shows `threads`, announcing replies from others that were not there before. */
  private apply(threads: readonly ThreadView[]): void {
    const view = this.view
    if (view === null || view.isDestroyed) return
    const before = this.state()?.threads ?? []
    if (this.loaded) this.announceNew(before, threads)
    this.loaded = true
    setThreads(threads)(view.state, view.dispatch)
  }

  private merge(thread: ThreadView, why: ThreadAction | 'created'): void {
    const threads = this.state()?.threads ?? []
    const next = threads.some((t) => t.id === thread.id) ? threads.map((t) => (t.id === thread.id ? thread : t)) : [...threads, thread]
    this.announcer.say(DONE[why])
    this.apply(next)
  }

  private announceNew(before: readonly ThreadView[], after: readonly ThreadView[]): void {
    const known = new Set(before.flatMap((t) => t.comments.map((c) => c.id)))
    for (const thread of after) {
      for (const [index, comment] of thread.comments.entries()) {
        if (known.has(comment.id) || comment.author.participantId === this.me.participantId) continue
        const what = index === 0 ? 'New comment' : 'New reply'
        this.announcer.say(`${what} from ${comment.author.displayName} on “${excerpt(thread.quote, 40)}”: ${excerpt(comment.body)}`)
      }
    }
  }

  /** The caret entered a thread's text: say so, and how to open it. */
  private announceCaretIn(threadId: string): void {
    const thread = this.state()?.threads.find((t) => t.id === threadId)
    if (!thread) return
    const count = thread.comments.length
    this.announcer.say(`Commented text, ${count} ${count === 1 ? 'comment' : 'comments'}. ${this.shortcut} opens the thread.`)
  }

  private readonly post = async (draft: Draft, body: string): Promise<void> => {
    const view = this.view
    // The server lets customers (and viewers) attach threads to their own contributions only.
    const all = this.contributions()
    const mine = can(this.me.role, 'spec:review') ? all : all.filter((c) => c.participantId === this.me.participantId)
    const contributionId = view ? contributionAt(view.state, draft.anchors, mine) : null
    const thread = await createThread(this.specId, { ...draft.anchors, body, ...(contributionId ? { contributionId } : {}) })
    this.merge(thread, 'created')
  }

  private readonly onChange = (next: ThreadsState, prev: ThreadsState): void => {
    if (next.threads !== prev.threads || next.activeId !== prev.activeId || next.gone !== prev.gone) this.render()
    if (next.open !== null && next.open !== prev.open) this.reveal(next.open.threadId, next.open.focus)
    else if (next.activeId !== null && next.activeId !== prev.activeId && this.view?.hasFocus()) this.announceCaretIn(next.activeId)
  }

  /** Shows the host on `threadId`, moving focus to its reply box with `focus`. */
  private reveal(threadId: string, focus: boolean): void {
    const thread = this.state()?.threads.find((t) => t.id === threadId)
    if (!thread || !this.host) return
    if (this.filter !== 'all' && this.filter !== thread.status) this.filter = 'all'
    this.host.open()
    this.render()
    const el = document.getElementById(threadElementId(ID_PREFIX, threadId))
    el?.scrollIntoView({ block: 'nearest' })
    if (focus) document.getElementById(replyInputId(ID_PREFIX, threadId))?.focus()
  }

  /** Scrolls the editor to a thread's text and makes it the active thread. */
  private show(thread: ThreadView): void {
    const view = this.view
    if (!view) return
    setActiveThread(thread.id)(view.state, view.dispatch)
    const range = resolveAnchors(view.state, thread)
    if (range === null) return
    const mark = view.dom.querySelector(`[data-thread-id="${CSS.escape(thread.id)}"]`)
    const target = mark ?? view.domAtPos(range.from).node
    const el = target instanceof Element ? target : target.parentElement
    el?.scrollIntoView({ block: 'center' })
  }

  /** The threads as shown: those whose text is gone here are "text removed" at once. */
  private shownThreads(state: ThreadsState): readonly ThreadView[] {
    if (state.gone.size === 0) return state.threads
    return state.threads.map((t) => (state.gone.has(t.id) ? { ...t, textRemoved: true, text: '' } : t))
  }

  private readonly positionOf = (thread: ThreadView): number | null => {
    const view = this.view
    return view ? (resolveAnchors(view.state, thread)?.from ?? null) : null
  }

  private render(): void {
    const host = this.host
    const state = this.state()
    if (!host || !state) return
    this.conversations.renderAll()
    host.setCount?.(state.threads.filter((t) => t.status === 'open').length)
    render(
      renderThreadsList({
        threads: this.shownThreads(state),
        positionOf: this.positionOf,
        filter: this.filter,
        onFilter: (filter) => {
          this.filter = filter
          this.render()
        },
        shortcut: this.shortcut,
        ctx: this.ctx
      }),
      host.container
    )
  }
}
