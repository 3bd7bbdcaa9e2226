/**
 * The welcome a customer sees when they land in a spec (issue 9, item 6): the caret waits in the
 * document, and a one-line prompt, "Add your idea anywhere, your words are credited to you",
 * shows above it until they first type.
 *
 * Rules:
 * - only for customers who may write (the page decides; this module never reads the role);
 * - the prompt is a polite live region (role=status), never a modal, and never takes focus;
 * - the first LOCAL edit removes it for good: remote edits (y-prosemirror's sync transactions)
 *   do not count, and "done" is remembered per spec in localStorage so it never comes back;
 * - the caret goes to the first empty body block, or else the end of the body, once.
 */
import { Plugin, PluginKey, Selection, TextSelection } from 'prosemirror-state'
import type { EditorView } from 'prosemirror-view'
import { ySyncPluginKey } from 'y-prosemirror'

/** The prompt's text. */
export const CUSTOMER_PROMPT_TEXT = 'Add your idea anywhere, your words are credited to you'

/** Id of the prompt element (also used by tests). */
export const CUSTOMER_PROMPT_ID = 'customer-prompt'

/** Key of the prompt plugin; its state is whether the prompt is still shown. */
export const customerPromptKey = new PluginKey<boolean>('valence-customer-prompt')

const storageKey = (specId: string): string => `valence:customer-prompt-done:${specId}`

/** Whether this browser's customer already typed in `specId` (then no prompt). */
export const customerPromptDone = (specId: string): boolean => {
  try {
    return localStorage.getItem(storageKey(specId)) === '1'
  } catch {
    return false
  }
}

const rememberDone = (specId: string): void => {
  try {
    localStorage.setItem(storageKey(specId), '1')
  } catch {
    // Storage disabled: the prompt may show again on the next visit.
  }
}

/** Moves the caret to the first empty body block (after the title), else the end of the body, and focuses. */
export const placeCaretForWriting = (view: EditorView): void => {
  const { doc } = view.state
  let target: number | null = null
  doc.forEach((node, offset, index) => {
    if (target !== null || index === 0) return
    if (node.isTextblock && node.content.size === 0) target = offset + 1
  })
  const selection = target === null ? Selection.atEnd(doc) : TextSelection.create(doc, target)
  view.dispatch(view.state.tr.setSelection(selection).scrollIntoView())
  view.focus()
}

const isLocalEdit = (tr: { docChanged: boolean; getMeta(key: PluginKey): unknown }): boolean => {
  if (!tr.docChanged) return false
  const meta = tr.getMeta(ySyncPluginKey) as { isChangeOrigin?: boolean } | undefined
  return meta?.isChangeOrigin !== true
}

/** The prompt plugin for `specId`: renders the line before the editor and removes it on the first local edit. */
export const customerPromptPlugin = (specId: string): Plugin<boolean> =>
  new Plugin<boolean>({
    key: customerPromptKey,
    state: {
      init: () => !customerPromptDone(specId),
      apply: (tr, shown) => shown && !isLocalEdit(tr)
    },
    view: (view) => {
      const line = document.createElement('p')
      line.id = CUSTOMER_PROMPT_ID
      line.className = 'customer-prompt'
      line.setAttribute('role', 'status')
      line.setAttribute('aria-live', 'polite')
      view.dom.parentElement?.before(line)
      // Filled after insertion, so screen readers announce it as a change of a live region.
      const fill = window.setTimeout(() => {
        if (customerPromptKey.getState(view.state) === true) line.textContent = CUSTOMER_PROMPT_TEXT
      }, 50)
      const hide = (): void => {
        line.remove()
      }
      if (customerPromptKey.getState(view.state) !== true) hide()
      return {
        update: (v, previous) => {
          const shown = customerPromptKey.getState(v.state) === true
          if (shown || customerPromptKey.getState(previous) !== true) return
          rememberDone(specId)
          hide()
        },
        destroy: () => {
          window.clearTimeout(fill)
          hide()
        }
      }
    }
  })
