/**
 * A value shown once for copying (an invite link, a sign-up link, an API token's secret): the
 * text in an `<output>` with a stable id, a Copy button (`#<id>-copy`) and a short note.
 */
import { h } from './dom.js'

/** Options of {@link copyBox}. */
export interface CopyBoxOptions {
  /** Id of the `<output>` holding the value (e.g. `invite-url`); the button gets `<id>-copy`. */
  id: string
  /** Visible label above the value. */
  label: string
  value: string
  /** A sentence under the value, e.g. "Shown only once". */
  note?: string
}

/** Copies `text`, falling back to a selection + `execCommand` where the Clipboard API is missing. */
export const copyText = async (text: string, source: HTMLElement): Promise<boolean> => {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text)
      return true
    }
  } catch {
    // Permission refused: try the selection route below.
  }
  const selection = window.getSelection()
  if (!selection) return false
  const range = document.createRange()
  range.selectNodeContents(source)
  selection.removeAllRanges()
  selection.addRange(range)
  try {
    // Deprecated but still the only fallback on plain-HTTP deployments (no secure context).
    return document.execCommand('copy')
  } catch {
    return false
  }
}

/** Builds the box; the caller decides where it goes and whether to focus its button. */
export const copyBox = (options: CopyBoxOptions): { element: HTMLElement; button: HTMLButtonElement } => {
  const labelId = `${options.id}-label`
  const output = h('output', { id: options.id, className: 'copy-value', dataset: { value: options.value } }, options.value)
  output.setAttribute('aria-labelledby', labelId)
  const button = h('button', { type: 'button', id: `${options.id}-copy`, className: 'button button-small button-primary' }, 'Copy')
  button.setAttribute('aria-label', `Copy ${options.label.toLowerCase()}`)
  const status = h('span', { className: 'copy-status', attrs: { role: 'status' } })
  button.addEventListener('click', () => {
    void copyText(options.value, output).then((ok) => {
      status.textContent = ok ? 'Copied.' : 'Select the text and copy it yourself.'
    })
  })
  const element = h(
    'div',
    { className: 'copy-box' },
    h('p', { className: 'copy-label', id: labelId }, options.label),
    h('div', { className: 'copy-row' }, output, button),
    options.note ? h('p', { className: 'field-hint' }, options.note) : null,
    status
  )
  return { element, button }
}
