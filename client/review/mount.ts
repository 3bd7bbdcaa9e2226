/**
 * Puts the review UI on the editor page: the side panel, its header buttons ("Review" for team
 * roles, "My ideas" with an unread badge for customers), the review data with live re-reads
 * (review events on the sync socket, and everything again after each reconnection). The editor
 * must have been created with `reviewHighlightPlugin()` (highlight.ts) for selecting to work.
 *
 * Rules: viewers get the side panel only (for the threads view), with no review button. Which
 * lists a role reads is decided here, once; the server still checks every read.
 */
import { html, nothing, render } from 'lit-html'
import type { EditorView } from 'prosemirror-view'
import type { WebsocketProvider } from 'y-websocket'
import { can, type Role } from '../../shared/permissions.js'
import { REVIEW_TOPICS } from '../../shared/review-events.js'
import { onReviewEvents } from '../collab/review-events.js'
import { byId, h } from '../ui/dom.js'
import { plural } from './format.js'
import { MY_IDEAS_TAB, MyIdeas } from './my-ideas.js'
import type { ThreadEmbed } from './thread-slots.js'
import { ReviewData, type ReviewSection } from './review-data.js'
import { ReviewPanel } from './review-panel.js'
import { editorSidePanel, type SidePanel } from './side-panel.js'

/** Id of the "Review" tab of the side panel. */
export const REVIEW_TAB = 'review'

/** What {@link mountReview} needs from the editor page. */
export interface MountReviewOptions {
  specId: string
  participantId: string
  role: Role
  view: EditorView
  provider: WebsocketProvider
  /** Engineer E's thread view for a contribution, shown in "My ideas". */
  threadEmbed?: ThreadEmbed
}

/** What {@link mountReview} returns. */
export interface ReviewHandles {
  /** The side panel; other views add tabs to it (`sidePanel.addTab`). */
  sidePanel: SidePanel
  /** The review data (null for viewers). */
  data: ReviewData | null
  destroy(): void
}

const sectionsFor = (role: Role): ReviewSection[] | null => {
  if (can(role, 'spec:review')) return ['contributions', 'threads', 'removals', 'settings']
  if (role === 'customer') return ['contributions', 'threads', 'removals', 'answers']
  return null
}

const toggleButton = (id: string, label: string): HTMLButtonElement =>
  h('button', { type: 'button', id, className: 'button button-small button-secondary side-toggle' }, h('span', {}, label))

/** Renders the unread badge into the "My ideas" button (and nothing when all is read). */
const renderBadge = (slot: HTMLElement, unread: number): void => {
  render(
    unread > 0
      ? html`<span class="count-badge" aria-hidden="true">${unread}</span><span class="visually-hidden">, ${plural(unread, 'unread answer')}</span>`
      : nothing,
    slot
  )
}

/**
 * Mounts the side panel and the review views for this reader.
 *
 * @example
 *   const review = mountReview({ specId, participantId: me.participantId, role: me.role, view, provider })
 *   review.sidePanel.addTab({ id: 'threads', label: 'Threads', render: (el) => mountThreads(el) })
 */
export const mountReview = (o: MountReviewOptions): ReviewHandles => {
  const sidePanel = editorSidePanel()
  const sections = sectionsFor(o.role)
  if (sections === null) return { sidePanel, data: null, destroy: () => sidePanel.close() }

  const data = new ReviewData(o.specId, sections)
  const toggles = byId('review-toggles')
  const cleanups: Array<() => void> = []

  if (can(o.role, 'spec:review')) {
    const button = toggleButton('review-toggle', 'Review')
    toggles.append(button)
    sidePanel.addTab({
      id: REVIEW_TAB,
      label: 'Review',
      render: (container) => {
        const panel = new ReviewPanel({ container, data, view: o.view, role: o.role, sidePanel, threadEmbed: o.threadEmbed })
        cleanups.push(() => panel.destroy())
      }
    })
    sidePanel.addToggle(button, REVIEW_TAB)
  } else {
    const button = toggleButton('my-ideas-toggle', 'My ideas')
    const slot = h('span', { className: 'count-slot' })
    button.append(slot)
    toggles.append(button)
    cleanups.push(data.subscribe(() => renderBadge(slot, data.snapshot.answers?.unread ?? 0)))
    const tab = sidePanel.addTab({ id: MY_IDEAS_TAB, label: 'My ideas', render: () => {} })
    // Mounted at once (not on first show): it also marks answers seen when it is opened.
    const ideas = new MyIdeas({
      container: tab.container,
      data,
      view: o.view,
      participantId: o.participantId,
      sidePanel,
      threadEmbed: o.threadEmbed
    })
    cleanups.push(() => ideas.destroy())
    sidePanel.addToggle(button, MY_IDEAS_TAB)
  }

  cleanups.push(onReviewEvents(o.provider, o.specId, REVIEW_TOPICS, (topics) => void data.refresh(topics)))
  // The dispatcher re-reads after each sync; a provider synced already needs a first read now.
  if (o.provider.synced) void data.loadAll()
  return {
    sidePanel,
    data,
    destroy: () => {
      for (const cleanup of cleanups) cleanup()
      sidePanel.close()
    }
  }
}
