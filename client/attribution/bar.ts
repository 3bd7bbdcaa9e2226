/**
 * The attribution bar above the editor: the spec's overall customer share, the highlight toggle
 * (off / by side / by person), the "Dim team text" filter and the legend.
 *
 * A plugin view: it reads the attribution plugin state on every update (re-rendering only the
 * parts whose inputs changed) and changes options only through the plugin's commands. The
 * viewer's choices are remembered in localStorage.
 */
import type { EditorView } from 'prosemirror-view'
import type { AttributionLabel, SpecAttribution } from '../../shared/attribution.js'
import { participantColor } from '../../shared/identity.js'
import { attributionKey, setCustomerOnly, setHighlightMode, type AttributionState } from './commands.js'
import type { DecorationOptions, HighlightMode } from './decorations.js'
import { peopleOf, percent, roleName } from './describe.js'
import { iconElement } from './icons.js'

/** Ids of the bar's controls (also used by tests). */
export const BAR_IDS = {
  summary: 'attribution-summary',
  highlight: 'attribution-highlight',
  customerOnly: 'attribution-customer-only',
  legend: 'attribution-legend',
  legendPeople: 'attribution-legend-people',
  /** The phone-only button that unfolds the bar (hidden on wider screens by CSS). */
  toggle: 'attribution-toggle',
  body: 'attribution-body'
} as const

const MODES: ReadonlyArray<{ mode: HighlightMode; label: string }> = [
  { mode: 'off', label: 'Off' },
  { mode: 'side', label: 'By side' },
  { mode: 'person', label: 'By person' }
]

const STORAGE_KEY = 'valence:attribution-view'

/** The display options the viewer chose last time (defaults: no highlight, no filter). */
export const savedDisplayOptions = (): DecorationOptions => {
  try {
    const value = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}') as Partial<DecorationOptions>
    const mode = MODES.some((m) => m.mode === value.mode) ? value.mode! : 'off'
    return { mode, customerOnly: value.customerOnly === true }
  } catch {
    return { mode: 'off', customerOnly: false }
  }
}

const saveDisplayOptions = (options: DecorationOptions): void => {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ mode: options.mode, customerOnly: options.customerOnly }))
  } catch {
    // Storage disabled: the choice lasts for this page only.
  }
}

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, className = '', text?: string): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag)
  if (className) e.className = className
  if (text !== undefined) e.textContent = text
  return e
}

/** A touch screen without hover (phones, tablets): markers open on tap there. */
const isTouch = (): boolean => typeof window.matchMedia === 'function' && window.matchMedia('(hover: none)').matches

const isMac = (): boolean => /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent)

const LABEL_LEGEND: ReadonlyArray<{ label: AttributionLabel; name: string; text: string }> = [
  { label: 'customer', name: 'Customer', text: 'every word written by customers' },
  { label: 'team', name: 'Team', text: 'every word written by the company team' },
  { label: 'mixed', name: 'Mixed · n% customer', text: 'both sides wrote; n is the customers’ share of the characters' },
  { label: 'none', name: 'Unknown', text: 'written before attribution existed' }
]

/** Renders and keeps the attribution bar in sync with the plugin state. */
export class AttributionBar {
  private readonly summary: HTMLElement
  private readonly radios = new Map<HighlightMode, HTMLInputElement>()
  private readonly customerOnly: HTMLInputElement
  private readonly people: HTMLElement
  private last: AttributionState | null = null
  private peopleSignature = ''

  constructor(
    private readonly view: EditorView,
    private readonly root: HTMLElement
  ) {
    root.classList.add('attribution-bar')
    if (!root.hasAttribute('aria-label')) root.setAttribute('aria-label', 'Attribution')

    this.summary = el('p', 'attr-summary', 'Attribution: waiting for the server…')
    this.summary.id = BAR_IDS.summary

    const highlight = el('fieldset', 'attr-highlight')
    highlight.id = BAR_IDS.highlight
    highlight.append(el('legend', 'attr-highlight-legend', 'Highlight'))
    for (const { mode, label } of MODES) {
      const input = el('input')
      input.type = 'radio'
      input.name = BAR_IDS.highlight
      input.id = `${BAR_IDS.highlight}-${mode}`
      input.value = mode
      input.addEventListener('change', () => {
        if (input.checked) this.run((s, d) => setHighlightMode(mode)(s, d))
      })
      const lab = el('label', 'attr-segment')
      lab.htmlFor = input.id
      lab.append(input, el('span', '', label))
      this.radios.set(mode, input)
      highlight.append(lab)
    }

    this.customerOnly = el('input')
    this.customerOnly.type = 'checkbox'
    this.customerOnly.id = BAR_IDS.customerOnly
    this.customerOnly.addEventListener('change', () => {
      const on = this.customerOnly.checked
      this.run((s, d) => setCustomerOnly(on)(s, d))
    })
    const filter = el('label', 'attr-filter')
    filter.append(this.customerOnly, el('span', '', 'Dim team text'))

    this.people = el('ul', 'attr-legend-people')
    this.people.id = BAR_IDS.legendPeople
    // On phones the bar folds behind a button (client/styles/phone-editor.css); elsewhere the
    // button is hidden and the body lays out as if it were not there (display: contents).
    const body = el('div', 'attr-body')
    body.id = BAR_IDS.body
    body.append(this.summary, highlight, filter, this.legend())
    const toggle = el('button', 'button button-small button-secondary attr-toggle', 'Attribution')
    toggle.type = 'button'
    toggle.id = BAR_IDS.toggle
    toggle.setAttribute('aria-expanded', 'false')
    toggle.setAttribute('aria-controls', body.id)
    toggle.addEventListener('click', () => {
      const open = toggle.getAttribute('aria-expanded') !== 'true'
      toggle.setAttribute('aria-expanded', String(open))
      root.toggleAttribute('data-open', open)
    })
    root.replaceChildren(toggle, body)
    this.update(view)
  }

  private run(command: (state: EditorView['state'], dispatch: EditorView['dispatch']) => boolean): void {
    command(this.view.state, this.view.dispatch)
    const state = attributionKey.getState(this.view.state)
    if (state) saveDisplayOptions(state)
  }

  private legend(): HTMLElement {
    const details = el('details', 'attr-legend')
    details.id = BAR_IDS.legend
    details.append(el('summary', 'attr-legend-summary', 'Legend'))
    const body = el('div', 'attr-legend-body')

    const markers = el('ul', 'attr-legend-list')
    markers.setAttribute('aria-label', 'Margin markers')
    for (const { label, name, text } of LABEL_LEGEND) {
      const item = el('li')
      const badge = el('span', `attr-legend-badge attr-${label}`)
      badge.append(iconElement(label), el('span', '', name))
      item.append(badge, ` ${text}.`)
      markers.append(item)
    }

    const sides = el('ul', 'attr-legend-list')
    sides.setAttribute('aria-label', 'Highlight by side')
    for (const [group, text] of [
      ['customer', 'Customer words: tinted, solid underline'],
      ['team', 'Team words: tinted, dashed underline']
    ] as const) {
      const item = el('li')
      item.append(el('span', `attr-run attr-run-${group} attr-legend-sample`, 'Sample'), ` ${text}.`)
      sides.append(item)
    }

    const key = isMac() ? '⌘ Shift E' : 'Ctrl+Shift+E'
    body.append(
      el('h2', 'attr-legend-heading', 'Margin markers'),
      markers,
      el('p', 'attr-legend-note', `${isTouch() ? 'Tap' : 'Hover or focus'} a marker for the contributors, their roles and shares, and who first wrote the block. Moving someone’s words (split, join, drag, undo) never makes them yours.`),
      el('h2', 'attr-legend-heading', 'Highlight by side'),
      sides,
      el('h2', 'attr-legend-heading', 'Highlight by person'),
      this.people,
      el('h2', 'attr-legend-heading', 'Dim team text'),
      el('p', 'attr-legend-note', 'Greys out blocks the team wrote alone (and unknown ones), so customer ideas stand out. They stay visible and editable.'),
      el('h2', 'attr-legend-heading', 'Keyboard'),
      el('p', 'attr-legend-note', `${key} in the text moves to the marker of the current block; ↑ and ↓ move between markers; Enter pins the details; Esc goes back to the text.`)
    )
    details.append(body)
    // The legend opens over the editor: Escape closes it and returns to its button.
    details.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape' || !details.open) return
      details.open = false
      details.querySelector('summary')?.focus()
      event.preventDefault()
    })
    return details
  }

  private renderPeople(attribution: SpecAttribution | null): void {
    const people = attribution ? [...peopleOf(attribution).values()] : []
    const signature = people.map((p) => `${p.participantId}:${p.displayName}:${p.role ?? ''}`).join(',')
    if (signature === this.peopleSignature && this.people.childElementCount > 0) return
    this.peopleSignature = signature
    if (people.length === 0) {
      this.people.replaceChildren(el('li', 'attr-legend-note', 'Nobody has written attributed text yet.'))
      return
    }
    this.people.replaceChildren(
      ...people.map((p) => {
        const item = el('li')
        const sample = el('span', `attr-run attr-run-person attr-run-person-${p.group ?? 'unknown'} attr-legend-sample`, 'Sample')
        sample.style.setProperty('--attr-person', participantColor(p.participantId))
        item.append(sample, ` ${p.displayName} (${roleName(p.role)})`)
        return item
      })
    )
  }

  /** Syncs the controls and texts with the plugin state. */
  update(view: EditorView): void {
    const state = attributionKey.getState(view.state)
    if (!state || state === this.last) return
    const prev = this.last
    this.last = state
    if (prev?.mode !== state.mode) for (const [mode, input] of this.radios) input.checked = mode === state.mode
    if (prev?.customerOnly !== state.customerOnly) this.customerOnly.checked = state.customerOnly
    if (prev?.attribution === state.attribution && prev !== null) return
    const a = state.attribution
    if (a !== null) {
      const known = a.totals.customer + a.totals.team
      this.summary.textContent =
        known === 0 ? 'Attribution: no attributed text yet' : `Whole spec: ${percent(a.customerShare)}% customer, ${100 - percent(a.customerShare)}% team`
    }
    this.root.dataset.attributionReady = a === null ? 'false' : 'true'
    this.renderPeople(a)
  }

  destroy(): void {
    this.root.replaceChildren()
  }
}
