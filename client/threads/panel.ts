/**
 * The page's own comments panel, used while the editor has no shared side panel: an `<aside>`
 * landmark beside the editor (a sheet at the bottom of narrow screens) holding the threads list,
 * and the header button that shows and hides it with the number of open threads.
 *
 * Rules: not modal; the toggle button says whether the panel is shown (`aria-expanded`); Escape
 * inside the panel or its Close button hides it and returns focus to the toggle button.
 */
import { h } from '../ui/dom.js'
import type { ThreadsHost } from './live-threads.js'

/** Ids of the panel's elements. */
export const PANEL_IDS = { panel: 'threads-panel', toggle: 'threads-toggle', title: 'threads-panel-title' } as const

/** Class on `<body>` while the panel is shown (the editor column makes room for it). */
const SHOWN_CLASS = 'has-threads-panel'

/** A toggleable panel holding the threads list. */
export class ThreadsPanel implements ThreadsHost {
  readonly container: HTMLElement
  private readonly aside: HTMLElement
  private readonly toggle: HTMLButtonElement
  private readonly count: HTMLElement

  /**
   * @param toggleSlot element the toggle button is appended to (in the header)
   * @param panelSlot element the `<aside>` is appended to (after `<main>`)
   */
  constructor(toggleSlot: HTMLElement, panelSlot: HTMLElement) {
    this.count = h('span', { className: 'threads-toggle-count' }, '0')
    this.toggle = h(
      'button',
      {
        type: 'button',
        id: PANEL_IDS.toggle,
        className: 'button button-secondary button-small threads-toggle',
        attrs: { 'aria-expanded': 'false', 'aria-controls': PANEL_IDS.panel }
      },
      'Comments ',
      this.count
    )
    this.toggle.addEventListener('click', () => (this.aside.hidden ? this.show(true) : this.hide()))
    const close = h('button', { type: 'button', className: 'threads-panel-close', attrs: { 'aria-label': 'Close comments' } }, '×')
    close.addEventListener('click', () => this.hide())
    this.container = h('div', { className: 'threads-panel-body' })
    this.aside = h(
      'aside',
      { id: PANEL_IDS.panel, className: 'threads-panel', hidden: true, attrs: { 'aria-labelledby': PANEL_IDS.title } },
      h('div', { className: 'threads-panel-head' }, h('h2', { id: PANEL_IDS.title, className: 'threads-panel-title', tabIndex: -1 }, 'Comments'), close),
      this.container
    )
    this.aside.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape' || event.defaultPrevented) return
      event.preventDefault()
      this.hide()
    })
    toggleSlot.append(this.toggle)
    panelSlot.append(this.aside)
  }

  open(): void {
    this.show(false)
  }

  setCount(open: number): void {
    this.count.textContent = String(open)
    this.toggle.setAttribute('aria-label', `Comments, ${open} open`)
  }

  /** Shows the panel; with `focusHeading`, moves focus to its heading. */
  private show(focusHeading: boolean): void {
    this.aside.hidden = false
    this.toggle.setAttribute('aria-expanded', 'true')
    document.body.classList.add(SHOWN_CLASS)
    if (focusHeading) this.aside.querySelector<HTMLElement>(`#${PANEL_IDS.title}`)?.focus()
  }

  private hide(): void {
    const hadFocus = this.aside.contains(document.activeElement)
    this.aside.hidden = true
    this.toggle.setAttribute('aria-expanded', 'false')
    document.body.classList.remove(SHOWN_CLASS)
    if (hadFocus) this.toggle.focus()
  }

  destroy(): void {
    this.toggle.remove()
    this.aside.remove()
    document.body.classList.remove(SHOWN_CLASS)
  }
}
