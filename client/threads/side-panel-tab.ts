/**
 * The threads list as a tab of the editor's shared side panel (client/review/side-panel.ts),
 * with its header button ("Comments" and the number of open threads).
 *
 * The panel is typed structurally here, so threads do not depend on the review code: any panel
 * with `addTab` and `addToggle` hosts the list.
 */
import { h } from '../ui/dom.js'
import type { ThreadsHost } from './live-threads.js'

/** Id of the threads tab. */
export const THREADS_TAB = 'threads'

/** What the threads tab needs of a side panel. */
export interface TabbedPanel {
  addTab(tab: { id: string; label: string; render(container: HTMLElement): void }): { readonly container: HTMLElement; open(): void }
  addToggle(button: HTMLButtonElement, id: string): void
}

/**
 * Adds the "Comments" tab to `panel` and its toggle button to `toggleSlot`.
 *
 * @example
 *   threads.attach(view, provider, threadsTab(review.sidePanel, byId('review-toggles')))
 */
export const threadsTab = (panel: TabbedPanel, toggleSlot: HTMLElement): ThreadsHost => {
  const count = h('span', { className: 'threads-toggle-count' }, '0')
  const button = h(
    'button',
    { type: 'button', id: 'threads-toggle', className: 'button button-small button-secondary side-toggle threads-toggle' },
    'Comments ',
    count
  )
  toggleSlot.append(button)
  // The list renders on its own from the start (it is live), not on the tab's first show.
  const tab = panel.addTab({ id: THREADS_TAB, label: 'Comments', render: () => {} })
  panel.addToggle(button, THREADS_TAB)
  return {
    container: tab.container,
    open: () => {
      // The panel moves focus to its heading when it opens; a click in commented text should
      // leave the caret in the editor (unless the panel is a modal sheet: then the page is inert).
      const before = document.activeElement
      tab.open()
      if (before instanceof HTMLElement && before !== document.activeElement && before.closest('[inert]') === null) {
        before.focus({ preventScroll: true })
      }
    },
    setCount: (open) => {
      count.textContent = String(open)
      button.setAttribute('aria-label', `Comments, ${open} open`)
    }
  }
}
