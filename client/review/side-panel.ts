/**
 * The side panel beside the editor: one `<aside>` landmark with a heading, holding views as
 * tabs ("Review" or "My ideas" from client/review, "Threads" from client/threads). Header
 * buttons toggle it.
 *
 * Rules:
 * - Wide screens: a column on the right; the page stays usable (not modal), Escape inside the
 *   panel closes it and focus returns to the button that opened it.
 * - Narrow screens (≤ {@link SHEET_QUERY}): a bottom sheet that behaves like a modal dialog:
 *   the rest of the page is `inert`, focus moves to the panel's heading, Escape or the backdrop
 *   closes it, and focus returns to the button that opened it.
 * - A tab's `render` runs once, on first show, into its own container; the tab owns that
 *   container from then on (render lists keyed, e.g. with lit-html `repeat`).
 *
 * @example The threads view (client/threads/side-panel-tab.ts):
 *   const tab = sidePanel.addTab({ id: 'threads', label: 'Comments', render: () => {} })
 *   sidePanel.addToggle(commentsButton, 'threads') // the button toggles it, focus to the heading
 *   tab.open() // from the editor: shows it, focus stays where it is
 *   sidePanel.onChange(() => { if (sidePanel.isShowing('threads')) markThreadsSeen() })
 */
import { byId, h } from '../ui/dom.js'

/** Screens this narrow get the panel as a bottom sheet. */
export const SHEET_QUERY = '(max-width: 760px)'

/** One view of the side panel. */
export interface SidePanelTab {
  /** Stable id (`review`, `my-ideas`, `threads`): also the tab's element ids. */
  id: string
  /** Tab text and the panel's heading while it shows. */
  label: string
  /** Fills `container` once, on first show. */
  render(container: HTMLElement): void
}

/** What {@link SidePanel.addTab} returns. */
export interface SidePanelTabHandle {
  /** The tab's container (filled by `render` on first show). */
  readonly container: HTMLElement
  /** Shows the panel on this tab; focus stays where it is (except on a phone: see the header). */
  open(): void
}

interface TabEntry {
  tab: SidePanelTab
  button: HTMLButtonElement
  container: HTMLElement
  rendered: boolean
}

/** The side panel; see the file header. */
export class SidePanel {
  private readonly tabs = new Map<string, TabEntry>()
  private readonly tablist: HTMLElement
  private readonly heading: HTMLHeadingElement
  private readonly backdrop: HTMLElement
  private readonly sheet = window.matchMedia(SHEET_QUERY)
  private readonly listeners = new Set<() => void>()
  private current: string | null = null
  private opener: HTMLElement | null = null

  /**
   * @param aside the empty `<aside id="side-panel">`
   * @param outside elements made inert while the panel is a sheet (header, main)
   */
  constructor(
    private readonly aside: HTMLElement,
    private readonly outside: readonly HTMLElement[]
  ) {
    this.heading = h('h2', { id: 'side-panel-title', className: 'side-panel-title', tabIndex: -1 }, '')
    const close = h('button', { type: 'button', id: 'side-panel-close', className: 'side-panel-close', attrs: { 'aria-label': 'Close panel' } }, '×')
    close.addEventListener('click', () => this.close())
    this.tablist = h('div', { className: 'side-panel-tabs', attrs: { role: 'tablist', 'aria-label': 'Panel views' } })
    this.tablist.addEventListener('keydown', (event) => this.onTabKey(event))
    aside.setAttribute('aria-labelledby', this.heading.id)
    aside.classList.add('side-panel')
    aside.hidden = true
    aside.replaceChildren(h('div', { className: 'side-panel-head' }, this.heading, close), this.tablist)
    aside.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && !event.defaultPrevented) {
        event.preventDefault()
        this.close()
      }
    })
    this.backdrop = h('div', { className: 'side-panel-backdrop', hidden: true })
    this.backdrop.addEventListener('click', () => this.close())
    aside.before(this.backdrop)
    this.sheet.addEventListener('change', () => this.layout())
  }

  /** Adds a view; the tab strip shows once there are two. */
  addTab(tab: SidePanelTab): SidePanelTabHandle {
    if (this.tabs.has(tab.id)) throw new RangeError(`side panel tab ${tab.id} exists`)
    const button = h('button', {
      type: 'button',
      id: `side-tab-${tab.id}`,
      className: 'side-panel-tab',
      tabIndex: -1,
      attrs: { role: 'tab', 'aria-selected': 'false', 'aria-controls': `side-view-${tab.id}` }
    }, tab.label)
    button.addEventListener('click', () => this.open(tab.id))
    const container = h('div', {
      id: `side-view-${tab.id}`,
      className: 'side-panel-view',
      hidden: true,
      attrs: { role: 'tabpanel', 'aria-labelledby': button.id }
    })
    this.tablist.append(button)
    this.aside.append(container)
    this.tabs.set(tab.id, { tab, button, container, rendered: false })
    this.tablist.hidden = this.tabs.size < 2
    return { container, open: () => this.open(tab.id, undefined, { focus: false }) }
  }

  /** Wires a header button to show (or hide) tab `id`, keeping its `aria-expanded` right. */
  addToggle(button: HTMLButtonElement, id: string): void {
    button.setAttribute('aria-controls', this.aside.id)
    button.setAttribute('aria-expanded', 'false')
    button.dataset.sidePanelTab = id
    button.addEventListener('click', () => this.toggle(id, button))
  }

  /** Shows tab `id` (hides the panel if it already shows it). */
  toggle(id: string, opener?: HTMLElement): void {
    if (this.isShowing(id)) this.close()
    else this.open(id, opener)
  }

  /**
   * Shows the panel on tab `id`; `opener` gets the focus back on close. Focus moves to the
   * panel's heading when it opens, unless `focus` is false (a view that places focus itself, or
   * leaves it in the editor); a sheet always takes the focus, since the page behind is inert.
   */
  open(id: string, opener?: HTMLElement, options: { focus?: boolean } = {}): void {
    const entry = this.tabs.get(id)
    if (!entry) throw new RangeError(`no side panel tab ${id}`)
    const wasOpen = !this.aside.hidden
    if (opener) this.opener = opener
    else if (!wasOpen) this.opener = document.activeElement instanceof HTMLElement ? document.activeElement : null
    for (const other of this.tabs.values()) {
      const on = other === entry
      other.container.hidden = !on
      other.button.setAttribute('aria-selected', String(on))
      other.button.tabIndex = on ? 0 : -1
    }
    if (!entry.rendered) {
      entry.rendered = true
      entry.tab.render(entry.container)
    }
    this.current = id
    this.heading.textContent = entry.tab.label
    this.aside.hidden = false
    this.layout()
    const inside = this.aside.contains(document.activeElement)
    if (this.sheet.matches ? !inside : options.focus !== false && !wasOpen) this.heading.focus()
    this.changed()
  }

  /** Hides the panel and returns focus to the button that opened it. */
  close(): void {
    if (this.aside.hidden) return
    this.aside.hidden = true
    this.current = null
    this.layout()
    const opener = this.opener
    this.opener = null
    if (opener?.isConnected) opener.focus()
    this.changed()
  }

  /** True if the panel is open on tab `id`. */
  isShowing(id: string): boolean {
    return this.current === id
  }

  /** True while the panel is a bottom sheet (narrow screens). */
  get isSheet(): boolean {
    return this.sheet.matches
  }

  /** Adds a listener for opening, closing and switching tabs; returns its removal. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private changed(): void {
    for (const button of document.querySelectorAll<HTMLButtonElement>('[data-side-panel-tab]')) {
      button.setAttribute('aria-expanded', String(this.current === button.dataset.sidePanelTab))
    }
    for (const listener of this.listeners) listener()
  }

  /** Applies column or sheet layout for the current state. */
  private layout(): void {
    const open = !this.aside.hidden
    const sheet = open && this.sheet.matches
    document.body.classList.toggle('has-side-panel', open && !sheet)
    document.body.classList.toggle('has-side-sheet', sheet)
    this.aside.classList.toggle('is-sheet', sheet)
    this.backdrop.hidden = !sheet
    for (const el of this.outside) el.inert = sheet
  }

  /** Arrow keys, Home and End move between tabs (WAI-ARIA tabs pattern, automatic activation). */
  private onTabKey(event: KeyboardEvent): void {
    const ids = [...this.tabs.keys()]
    const at = this.current === null ? -1 : ids.indexOf(this.current)
    const next =
      event.key === 'ArrowRight' ? (at + 1) % ids.length
      : event.key === 'ArrowLeft' ? (at - 1 + ids.length) % ids.length
      : event.key === 'Home' ? 0
      : event.key === 'End' ? ids.length - 1
      : null
    if (next === null) return
    event.preventDefault()
    const id = ids[next]!
    this.open(id)
    this.tabs.get(id)?.button.focus()
  }
}

/** The side panel of the editor page, on `#side-panel` (header and main become inert in sheet mode). */
export const editorSidePanel = (): SidePanel => new SidePanel(byId('side-panel'), [byId('app-header'), byId('main')])
