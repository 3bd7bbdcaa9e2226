/**
 * The margin marker of one block: a `<button>` inside a `contenteditable=false` widget, with an
 * icon and a visible label ("Customer", "Team", "Mixed · 60% customer"; on narrow screens the
 * icon, plus "60%" for a mixed block) and the full story in its accessible name. The popover reads the block back through
 * {@link markerInfo}.
 */
import type { BlockAttribution } from '../../shared/attribution.js'
import { badgeText, markerLabel, percent, type People } from './describe.js'
import { iconElement } from './icons.js'

/** What a marker describes. */
export interface MarkerInfo {
  readonly block: BlockAttribution
  readonly people: People
}

const infos = new WeakMap<HTMLElement, MarkerInfo>()

/** Class of every marker button. */
export const MARKER_CLASS = 'attr-marker'

/** The block a marker button describes (undefined for other elements). */
export const markerInfo = (el: Element): MarkerInfo | undefined => infos.get(el as HTMLElement)

/**
 * A key that changes exactly when what the marker shows changes, so ProseMirror keeps the same
 * DOM (and a focused or hovered marker stays put) while the block's attribution is unchanged.
 */
export const markerKey = (block: BlockAttribution): string =>
  [
    'attr',
    block.label,
    percent(block.customerShare, block.label),
    block.firstAuthorId ?? '',
    block.contributors.map((c) => `${c.participantId}:${percent(c.share)}:${c.displayName}:${c.role ?? ''}`).join(','),
    block.movers.map((m) => `${m.participantId}:${m.displayName}:${m.role ?? ''}:${m.lastMovedAt ?? ''}`).join(',')
  ].join('|')

/** Builds the widget DOM of a block's marker. */
export const createMarker = (block: BlockAttribution, people: People): HTMLElement => {
  const wrap = document.createElement('span')
  wrap.className = 'attr-marker-wrap'
  wrap.contentEditable = 'false'
  const button = document.createElement('button')
  button.type = 'button'
  button.className = `${MARKER_CLASS} attr-${block.label}`
  button.tabIndex = -1
  button.dataset.attributionLabel = block.label
  button.dataset.customerShare = String(percent(block.customerShare, block.label))
  button.setAttribute('aria-label', markerLabel(block, people))
  const text = document.createElement('span')
  text.className = 'attr-marker-text'
  const full = badgeText(block)
  // "Mixed · 60% customer" wraps after the dot in the gutter.
  const [head, tail] = full.split(' · ')
  text.append(head!)
  if (tail !== undefined) {
    text.append(' ')
    const share = document.createElement('span')
    share.className = 'attr-marker-share'
    share.textContent = tail
    text.append(share)
  }
  button.append(iconElement(block.label), text)
  // Narrow screens show only the icon, and for a mixed block its customer share (issue 9).
  if (block.label === 'mixed') {
    const short = document.createElement('span')
    short.className = 'attr-marker-short'
    short.setAttribute('aria-hidden', 'true')
    short.textContent = `${percent(block.customerShare, block.label)}%`
    button.append(short)
  }
  infos.set(button, { block, people })
  wrap.append(button)
  return wrap
}

/**
 * The marker button of a rendered block element, if it has one. The widget is the block's first
 * child, or the first child of its `<code>` for code blocks (`<pre><code>`).
 */
export const blockMarker = (blockEl: Element): HTMLElement | null =>
  blockEl.querySelector<HTMLElement>(
    `:scope > .attr-marker-wrap > .${MARKER_CLASS}, :scope > code > .attr-marker-wrap > .${MARKER_CLASS}`
  )
