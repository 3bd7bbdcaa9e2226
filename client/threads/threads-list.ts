/**
 * The list of a spec's threads: a filter (all, open, resolved, with counts), the threads as
 * {@link renderThread} items in a keyed list, and a hint when there are none. (What happens is
 * announced by `announcer.ts`, outside the panel.)
 *
 * Rules: open threads come first, in the order their text appears in the spec (those whose text
 * was removed after them), then resolved ones, most recently resolved first. Rendering is keyed
 * by thread id (lit-html `repeat`), so a reply being typed and the focus survive every update.
 */
import { html, type TemplateResult } from 'lit-html'
import { live } from 'lit-html/directives/live.js'
import { repeat } from 'lit-html/directives/repeat.js'
import type { ThreadView } from '../../shared/api-threads.js'
import { renderThread, type ThreadContext } from './thread-view.js'

/** Which threads the list shows. */
export type ThreadFilter = 'all' | 'open' | 'resolved'

const FILTERS: ReadonlyArray<{ value: ThreadFilter; label: string }> = [
  { value: 'all', label: 'All' },
  { value: 'open', label: 'Open' },
  { value: 'resolved', label: 'Resolved' }
]

/** What the list shows and does. */
export interface ThreadsListProps {
  threads: readonly ThreadView[]
  /** Where each open thread's text starts now (null: its text is gone), for ordering. */
  positionOf(thread: ThreadView): number | null
  filter: ThreadFilter
  onFilter(filter: ThreadFilter): void
  /** How to start a comment, shown when there are no threads. */
  shortcut: string
  ctx: ThreadContext
}

/** Open threads in document order (text removed last), then resolved ones, newest first. */
export const orderThreads = (threads: readonly ThreadView[], positionOf: (t: ThreadView) => number | null): ThreadView[] => {
  const open = threads
    .filter((t) => t.status === 'open')
    .map((t) => ({ t, pos: t.textRemoved ? null : positionOf(t) }))
    .sort((a, b) => (a.pos ?? Infinity) - (b.pos ?? Infinity))
    .map(({ t }) => t)
  const resolved = threads
    .filter((t) => t.status === 'resolved')
    .sort((a, b) => (b.resolvedAt ?? '').localeCompare(a.resolvedAt ?? ''))
  return [...open, ...resolved]
}

const emptyText = (filter: ThreadFilter, shortcut: string): string =>
  filter === 'resolved'
    ? 'No resolved comments.'
    : filter === 'open'
      ? 'No open comments.'
      : `No comments yet. Select some text and choose Comment (${shortcut}).`

/** The list's template. */
export const renderThreadsList = (p: ThreadsListProps): TemplateResult => {
  const ordered = orderThreads(p.threads, p.positionOf)
  const shown = p.filter === 'all' ? ordered : ordered.filter((t) => t.status === p.filter)
  const counts: Record<ThreadFilter, number> = {
    all: p.threads.length,
    open: p.threads.filter((t) => t.status === 'open').length,
    resolved: p.threads.filter((t) => t.status === 'resolved').length
  }
  const prefix = p.ctx.idPrefix
  return html`<div class="threads">
    <fieldset class="threads-filter">
      <legend class="visually-hidden">Show comments</legend>
      ${FILTERS.map(
        (f) => html`<label class="threads-filter-option">
          <input
            type="radio"
            name=${`${prefix}-filter`}
            value=${f.value}
            .checked=${live(p.filter === f.value)}
            @change=${() => p.onFilter(f.value)}
          />
          <span class="threads-filter-label">${f.label} <span class="threads-count">${counts[f.value]}</span></span>
        </label>`
      )}
    </fieldset>
    ${shown.length === 0 ? html`<p class="threads-empty">${emptyText(p.filter, p.shortcut)}</p>` : ''}
    <ol class="threads-list" aria-label="Comments on this spec" ?hidden=${shown.length === 0}>
      ${repeat(
        shown,
        (t) => t.id,
        (t) => html`<li class="threads-item">${renderThread(t, p.ctx)}</li>`
      )}
    </ol>
  </div>`
}
