/**
 * The formatting toolbar, as a ProseMirror plugin view: on every state change it enables the
 * buttons whose command applies and presses the ones whose format is active.
 *
 * Follows the WAI-ARIA toolbar pattern: one tab stop (roving tabindex), arrow keys, Home and End
 * move between the enabled buttons. Buttons keep the editor's selection (no focus steal on
 * mouse down) and run their command against the current state. In a read-only editor (viewers)
 * only the buttons marked `readOnly` show (Comment); the others are hidden.
 */
import { Plugin, PluginKey, type Command, type EditorState } from 'prosemirror-state'
import type { EditorView } from 'prosemirror-view'
import { schema } from '../../shared/schema.js'
import {
  blockActive,
  indentListItem,
  listActive,
  markActive,
  outdentListItem,
  quoteActive,
  setHeading,
  setParagraph,
  toggleBlockquote,
  toggleBulletList,
  toggleCodeBlock,
  toggleEm,
  toggleOrderedList,
  toggleStrong
} from './commands.js'
import { redo, undo } from './keymap.js'
import { commentCommand } from '../threads/commands.js'

/** One toolbar button. */
export interface ToolbarItem {
  /** Stable id, also `data-command` on the button. */
  id: string
  /** Accessible name. */
  label: string
  /** Shortcut shown in the tooltip, with `Mod` for Ctrl/⌘. */
  shortcut?: string
  /**
   * Visible content: SVG markup, or short text such as "H1". Text is drawn by CSS from
   * `data-icon`, so the button's name is only its `aria-label`.
   */
  icon: string
  command: Command
  /** Present for toggles: the button gets `aria-pressed`. */
  active?: (state: EditorState) => boolean
  /** Starts a new visual group. */
  groupStart?: boolean
  /** Also works in a read-only editor (the other buttons are hidden there). */
  readOnly?: boolean
  /** Opens a dialog of its own: the editor does not get the focus back after it runs. */
  keepsFocus?: boolean
}

/** Key of the toolbar plugin. */
export const toolbarKey = new PluginKey('valence-toolbar')

const svg = (body: string): string =>
  `<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${body}</svg>`

const icons = {
  link: svg(
    '<path d="M10 13a5 5 0 0 0 7.5.5l3-3a5 5 0 0 0-7-7l-1.7 1.7"/><path d="M14 11a5 5 0 0 0-7.5-.5l-3 3a5 5 0 0 0 7 7l1.7-1.7"/>'
  ),
  bullet: svg(
    '<path d="M9 6h11M9 12h11M9 18h11"/><circle cx="4.5" cy="6" r="1" fill="currentColor"/><circle cx="4.5" cy="12" r="1" fill="currentColor"/><circle cx="4.5" cy="18" r="1" fill="currentColor"/>'
  ),
  ordered: svg(
    '<path d="M10 6h10M10 12h10M10 18h10"/><path d="M4 5l1.5-1v5M3.5 14.5a1.5 1.5 0 0 1 3 .3c0 1-3 2.2-3 3.7h3" stroke-width="1.5"/>'
  ),
  indent: svg('<path d="M4 5h16M11 10h9M11 14h9M4 19h16"/><path d="M4 9l3 3-3 3"/>'),
  outdent: svg('<path d="M4 5h16M11 10h9M11 14h9M4 19h16"/><path d="M7 9l-3 3 3 3"/>'),
  quote: svg(
    '<path d="M4 17c2.5-1 3.5-3 3.5-6H4V6h6v5c0 4-2 7-6 8M14 17c2.5-1 3.5-3 3.5-6H14V6h6v5c0 4-2 7-6 8"/>'
  ),
  code: svg('<path d="M8 7l-5 5 5 5M16 7l5 5-5 5"/>'),
  undo: svg('<path d="M9 14L4 9l5-5"/><path d="M4 9h10.5a5.5 5.5 0 0 1 0 11H11"/>'),
  redo: svg('<path d="M15 14l5-5-5-5"/><path d="M20 9H9.5a5.5 5.5 0 0 0 0 11H13"/>'),
  comment: svg('<path d="M21 12a8 8 0 0 1-11.6 7.1L4 20l1-4.6A8 8 0 1 1 21 12z"/><path d="M8.5 10.5h7M8.5 13.5h4"/>')
}

/** The spec editor's buttons; `link` is the command behind the link button. */
export const specToolbarItems = (link: Command): ToolbarItem[] => {
  const { nodes, marks } = schema
  const headings: ToolbarItem[] = [1, 2, 3].map((level) => ({
    id: `heading-${level}`,
    label: `Heading ${level}`,
    shortcut: `Mod-Alt-${level}`,
    icon: `H${level}`,
    command: setHeading(level),
    active: (state) => blockActive(state, nodes.heading, { level }),
    groupStart: level === 1
  }))
  return [
    { id: 'bold', label: 'Bold', shortcut: 'Mod-B', icon: 'B', command: toggleStrong, active: (s) => markActive(s, marks.strong) },
    { id: 'italic', label: 'Italic', shortcut: 'Mod-I', icon: 'I', command: toggleEm, active: (s) => markActive(s, marks.em) },
    { id: 'link', label: 'Link', shortcut: 'Mod-K', icon: icons.link, command: link, active: (s) => markActive(s, marks.link), keepsFocus: true },
    ...headings,
    { id: 'paragraph', label: 'Paragraph', shortcut: 'Mod-Alt-0', icon: '¶', command: setParagraph, active: (s) => blockActive(s, nodes.paragraph) },
    { id: 'bullet-list', label: 'Bulleted list', shortcut: 'Mod-Shift-8', icon: icons.bullet, command: toggleBulletList, active: (s) => listActive(s, nodes.bullet_list), groupStart: true },
    { id: 'ordered-list', label: 'Numbered list', shortcut: 'Mod-Shift-7', icon: icons.ordered, command: toggleOrderedList, active: (s) => listActive(s, nodes.ordered_list) },
    { id: 'indent', label: 'Indent list item', shortcut: 'Tab', icon: icons.indent, command: indentListItem },
    { id: 'outdent', label: 'Outdent list item', shortcut: 'Shift-Tab', icon: icons.outdent, command: outdentListItem },
    { id: 'blockquote', label: 'Quote', icon: icons.quote, command: toggleBlockquote, active: quoteActive, groupStart: true },
    { id: 'code-block', label: 'Code block', icon: icons.code, command: toggleCodeBlock, active: (s) => blockActive(s, nodes.code_block) },
    { id: 'undo', label: 'Undo', shortcut: 'Mod-Z', icon: icons.undo, command: undo, groupStart: true },
    { id: 'redo', label: 'Redo', shortcut: 'Mod-Shift-Z', icon: icons.redo, command: redo },
    { id: 'comment', label: 'Comment', shortcut: 'Mod-Alt-M', icon: icons.comment, command: commentCommand, groupStart: true, readOnly: true, keepsFocus: true }
  ]
}

const isMac = (): boolean => /Mac|iPhone|iPad/.test(navigator.platform)

/** A shortcut as people read it on this platform ("Ctrl+Alt+1", "⌘⌥1"). */
export const shortcutText = (shortcut: string): string => {
  const mac = isMac()
  const names: Record<string, string> = mac
    ? { Mod: '⌘', Alt: '⌥', Shift: '⇧' }
    : { Mod: 'Ctrl', Alt: 'Alt', Shift: 'Shift' }
  return shortcut
    .split('-')
    .map((part) => names[part] ?? part)
    .join(mac ? '' : '+')
}

/** Renders and updates the toolbar for one editor view. */
class ToolbarView {
  private readonly buttons: HTMLButtonElement[] = []
  /** The separator before each button (null for none). */
  private readonly separators: (HTMLElement | null)[] = []

  constructor(
    private readonly container: HTMLElement,
    private readonly items: ToolbarItem[],
    private view: EditorView
  ) {
    container.replaceChildren()
    container.setAttribute('role', 'toolbar')
    for (const item of items) {
      let sep: HTMLElement | null = null
      if (item.groupStart && this.buttons.length > 0) {
        sep = document.createElement('span')
        sep.className = 'toolbar-separator'
        sep.setAttribute('aria-hidden', 'true')
        container.append(sep)
      }
      this.separators.push(sep)
      const button = document.createElement('button')
      button.type = 'button'
      button.className = 'toolbar-button'
      button.dataset.command = item.id
      button.setAttribute('aria-label', item.label)
      button.title = item.shortcut ? `${item.label} (${shortcutText(item.shortcut)})` : item.label
      if (item.icon.startsWith('<svg')) button.innerHTML = item.icon
      else button.dataset.icon = item.icon
      button.tabIndex = -1
      if (item.active) button.setAttribute('aria-pressed', 'false')
      // Keep the editor's focus and selection when the button is clicked with a pointer.
      button.addEventListener('mousedown', (event) => event.preventDefault())
      button.addEventListener('click', () => this.run(item))
      button.addEventListener('focus', () => this.setTabStop(button))
      container.append(button)
      this.buttons.push(button)
    }
    container.addEventListener('keydown', this.onKeyDown)
    this.update(view)
  }

  update(view: EditorView): void {
    this.view = view
    const { state } = view
    let shownBefore = false
    this.items.forEach((item, i) => {
      const button = this.buttons[i]
      if (!button) return
      const usable = view.editable || item.readOnly === true
      button.hidden = !usable
      const sep = this.separators[i]
      if (sep) sep.hidden = !usable || !shownBefore
      shownBefore ||= usable
      button.disabled = !usable || !item.command(state, undefined, view)
      if (item.active) button.setAttribute('aria-pressed', String(item.active(state)))
    })
    const current = this.buttons.find((b) => b.tabIndex === 0)
    if (!current || current.disabled) this.setTabStop(this.enabled()[0] ?? null)
    // With every button disabled (caret in the title) the toolbar itself is the tab stop, so a
    // keyboard can still scroll it where it scrolls sideways (phones).
    const idle = this.enabled().length === 0
    if (idle !== (this.container.tabIndex === 0)) {
      if (idle) this.container.tabIndex = 0
      else this.container.removeAttribute('tabindex')
    }
  }

  destroy(): void {
    this.container.removeEventListener('keydown', this.onKeyDown)
    this.container.replaceChildren()
  }

  private run(item: ToolbarItem): void {
    const { view } = this
    item.command(view.state, view.dispatch, view)
    if (!item.keepsFocus) view.focus()
  }

  private enabled(): HTMLButtonElement[] {
    return this.buttons.filter((b) => !b.disabled)
  }

  private setTabStop(target: HTMLButtonElement | null): void {
    for (const b of this.buttons) b.tabIndex = b === target ? 0 : -1
  }

  private readonly onKeyDown = (event: KeyboardEvent): void => {
    const enabled = this.enabled()
    if (enabled.length === 0) return
    const index = enabled.indexOf(document.activeElement as HTMLButtonElement)
    let next: HTMLButtonElement | undefined
    if (event.key === 'ArrowRight') next = enabled[(index + 1) % enabled.length]
    else if (event.key === 'ArrowLeft') next = enabled[(index - 1 + enabled.length) % enabled.length]
    else if (event.key === 'Home') next = enabled[0]
    else if (event.key === 'End') next = enabled[enabled.length - 1]
    if (!next) return
    event.preventDefault()
    this.setTabStop(next)
    next.focus()
  }
}

/** The toolbar plugin: renders `items` into `container` and keeps them in step with the state. */
export const toolbarPlugin = (container: HTMLElement, items: ToolbarItem[]): Plugin =>
  new Plugin({
    key: toolbarKey,
    view: (view) => new ToolbarView(container, items, view)
  })
