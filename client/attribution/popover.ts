/**
 * The details popover of the margin markers, and keyboard movement between markers.
 *
 * Hovering or focusing a marker shows who wrote the block: contributors by name and role with
 * their shares, who first wrote it, and who moved others' words in it. The popover can be hovered
 * itself, Escape dismisses it, and clicking a marker pins it open (WCAG 1.4.13). One popover
 * element serves all markers; it is fixed-positioned outside the editor, so it is never clipped by
 * the editor and never widens it.
 *
 * Markers are not tab stops (a long spec would have thousands). Focus reaches them with the
 * editor shortcut (see `plugin.ts`); inside them: ArrowUp/ArrowDown previous/next marker,
 * Home/End first/last, Enter/Space pin the popover, Escape closes it and, pressed again, returns
 * to the text at the caret.
 */
import type { EditorView } from 'prosemirror-view'
import { participantColor } from '../../shared/identity.js'
import { firstAuthorText, movedText, percent, roleName, summaryText } from './describe.js'
import { iconElement } from './icons.js'
import { blockMarker, MARKER_CLASS, markerInfo, type MarkerInfo } from './marker.js'

/** Id of the popover element. */
export const POPOVER_ID = 'attribution-popover'

const HIDE_DELAY_MS = 200

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag)
  e.className = className
  if (text !== undefined) e.textContent = text
  return e
}

/** Fills `root` with the details of one block. */
const renderDetails = (root: HTMLElement, { block, people }: MarkerInfo): void => {
  const title = el('p', 'attr-popover-title')
  title.append(iconElement(block.label), el('span', '', summaryText(block)))
  const parts: HTMLElement[] = [title]
  if (block.contributors.length > 0) {
    const list = el('ul', 'attr-popover-people')
    list.setAttribute('aria-label', 'Contributors')
    for (const c of block.contributors) {
      const item = el('li', 'attr-popover-person')
      const swatch = el('span', 'attr-swatch')
      swatch.style.setProperty('--attr-person', participantColor(c.participantId))
      swatch.setAttribute('aria-hidden', 'true')
      item.append(
        swatch,
        el('span', 'attr-person-name', c.displayName),
        el('span', `attr-person-role attr-role-${c.group ?? 'unknown'}`, roleName(c.role)),
        el('span', 'attr-person-share', `${percent(c.share)}%`)
      )
      list.append(item)
    }
    parts.push(list)
  }
  const first = firstAuthorText(block, people)
  if (first !== null) {
    const role = block.firstAuthorId === null ? null : (people.get(block.firstAuthorId)?.role ?? null)
    parts.push(el('p', 'attr-popover-line', `First written by ${first}${role ? ` (${roleName(role)})` : ''}.`))
  }
  // Relative times are worked out when the popover opens, so they are current each time.
  const moved = movedText(block, Date.now())
  if (moved !== null) parts.push(el('p', 'attr-popover-line attr-popover-muted', moved))
  if (block.byGroup.unknown > 0) {
    parts.push(el('p', 'attr-popover-line attr-popover-muted', `${block.byGroup.unknown} characters by an unknown author (written before attribution).`))
  }
  root.replaceChildren(...parts)
}

/** Shows the popover for the marker under the pointer or focus, and moves focus among markers. */
export class MarkerPopover {
  private readonly popover: HTMLElement
  private current: HTMLElement | null = null
  /** Open because the marker was clicked (stays open when the pointer leaves). */
  private pinned = false
  /**
   * The block element of the focused marker. ProseMirror keeps a block's element when only its
   * text or decorations change, so this finds the marker again after it was redrawn.
   */
  private focusBlock: HTMLElement | null = null
  private hideTimer: ReturnType<typeof setTimeout> | null = null
  /** When the pointer last went down anywhere (a click away from a marker is deliberate). */
  private pointerAt = -Infinity

  constructor(private readonly view: EditorView) {
    this.popover = document.getElementById(POPOVER_ID) ?? el('div', 'attr-popover')
    this.popover.id = POPOVER_ID
    this.popover.setAttribute('role', 'tooltip')
    this.popover.hidden = true
    // Fixed-positioned, so its place in the DOM does not affect layout; inside <main> it stays
    // within a landmark for screen-reader navigation.
    if (!this.popover.isConnected) (view.dom.closest('main') ?? document.body).append(this.popover)
    const dom = view.dom
    dom.addEventListener('mouseover', this.onMouseOver)
    dom.addEventListener('mouseout', this.onMouseOut)
    dom.addEventListener('focusin', this.onFocusIn)
    dom.addEventListener('focusout', this.onFocusOut)
    dom.addEventListener('click', this.onClick)
    dom.addEventListener('keydown', this.onMarkerKey)
    this.popover.addEventListener('mouseenter', this.cancelHide)
    this.popover.addEventListener('mouseleave', this.scheduleHide)
    document.addEventListener('keydown', this.onDocumentKey)
    document.addEventListener('pointerdown', this.onPointerDown, true)
    window.addEventListener('scroll', this.place, { capture: true, passive: true })
    window.addEventListener('resize', this.place, { passive: true })
  }

  /** Follows a marker that ProseMirror re-rendered (its block's attribution changed). */
  update(view: EditorView): void {
    if (this.current === null || this.current.isConnected || view.isDestroyed) return
    const replacement = this.markerIn(this.focusBlock)
    if (replacement === null) return this.hide()
    const active = document.activeElement
    if (active === null || active === document.body) replacement.focus({ preventScroll: true })
    this.show(replacement, this.pinned)
  }

  destroy(): void {
    const dom = this.view.dom
    dom.removeEventListener('mouseover', this.onMouseOver)
    dom.removeEventListener('mouseout', this.onMouseOut)
    dom.removeEventListener('focusin', this.onFocusIn)
    dom.removeEventListener('focusout', this.onFocusOut)
    dom.removeEventListener('click', this.onClick)
    dom.removeEventListener('keydown', this.onMarkerKey)
    document.removeEventListener('keydown', this.onDocumentKey)
    document.removeEventListener('pointerdown', this.onPointerDown, true)
    window.removeEventListener('scroll', this.place, { capture: true })
    window.removeEventListener('resize', this.place)
    this.cancelHide()
    this.popover.remove()
  }

  /** The marker button of a block element still in the editor, if it has one. */
  private markerIn(block: HTMLElement | null): HTMLElement | null {
    if (block === null || !this.view.dom.contains(block)) return null
    return blockMarker(block)
  }

  private markerOf(target: EventTarget | null): HTMLElement | null {
    return target instanceof Element ? target.closest<HTMLElement>(`.${MARKER_CLASS}`) : null
  }

  private show(marker: HTMLElement, pinned: boolean): void {
    const info = markerInfo(marker)
    if (!info) return
    this.cancelHide()
    if (this.current && this.current !== marker) this.current.removeAttribute('aria-expanded')
    this.current = marker
    this.pinned = pinned
    marker.setAttribute('aria-expanded', 'true')
    renderDetails(this.popover, info)
    this.popover.hidden = false
    this.place()
  }

  private hide(): void {
    this.cancelHide()
    this.current?.removeAttribute('aria-expanded')
    this.current = null
    this.pinned = false
    this.popover.hidden = true
  }

  /** Puts the popover beside (wide screens) or below (narrow) the current marker, inside the viewport. */
  private readonly place = (): void => {
    if (this.current === null || this.popover.hidden) return
    const r = this.current.getBoundingClientRect()
    const p = this.popover.getBoundingClientRect()
    const margin = 8
    const vw = document.documentElement.clientWidth
    const vh = window.innerHeight
    let left = r.right + margin
    let top = r.top
    if (left + p.width > vw - margin) {
      left = Math.max(margin, Math.min(r.left, vw - p.width - margin))
      top = r.bottom + margin
    }
    if (top + p.height > vh - margin) top = Math.max(margin, r.top - p.height - margin)
    this.popover.style.left = `${Math.round(left)}px`
    this.popover.style.top = `${Math.round(top)}px`
  }

  private readonly cancelHide = (): void => {
    if (this.hideTimer !== null) clearTimeout(this.hideTimer)
    this.hideTimer = null
  }

  private readonly scheduleHide = (): void => {
    if (this.pinned || (this.current !== null && document.activeElement === this.current)) return
    this.cancelHide()
    this.hideTimer = setTimeout(() => this.hide(), HIDE_DELAY_MS)
  }

  private readonly onMouseOver = (event: MouseEvent): void => {
    const marker = this.markerOf(event.target)
    if (marker && marker !== this.current) this.show(marker, false)
    else if (marker) this.cancelHide()
  }

  private readonly onMouseOut = (event: MouseEvent): void => {
    const from = this.markerOf(event.target)
    if (from && from === this.current && this.markerOf(event.relatedTarget) !== from) this.scheduleHide()
  }

  private readonly onFocusIn = (event: FocusEvent): void => {
    const marker = this.markerOf(event.target)
    if (!marker) return
    // The widget (marker's parent) sits inside its block's element.
    this.focusBlock = marker.parentElement?.parentElement ?? null
    if (marker !== this.current) this.show(marker, false)
  }

  private readonly onFocusOut = (event: FocusEvent): void => {
    const marker = this.markerOf(event.target)
    if (!marker || this.markerOf(event.relatedTarget) !== null) return
    if (event.relatedTarget !== null) return this.leaveMarkers()
    // Focus went nowhere: a click on the page, or ProseMirror redrawing the marker (its block's
    // attribution changed, or its paragraph was re-rendered). Decided once the update is done.
    setTimeout(this.restoreFocus, 0)
  }

  /** The person moved on from the markers: forget the block, close the popover unless pinned. */
  private leaveMarkers(): void {
    this.focusBlock = null
    if (!this.pinned) this.scheduleHide()
  }

  /** Gives focus back to the marker of the focused block after ProseMirror redrew it. */
  private readonly restoreFocus = (): void => {
    const active = document.activeElement
    if (this.markerOf(active) !== null || this.focusBlock === null) return
    if (!document.hasFocus()) return // another window or tab: the browser restores focus itself
    if ((active !== null && active !== document.body) || performance.now() - this.pointerAt < 500) return this.leaveMarkers()
    const marker = this.markerIn(this.focusBlock)
    if (marker === null) return this.leaveMarkers()
    marker.focus({ preventScroll: true })
  }

  private readonly onPointerDown = (): void => {
    this.pointerAt = performance.now()
  }

  private readonly onClick = (event: MouseEvent): void => {
    const marker = this.markerOf(event.target)
    if (!marker) return
    event.preventDefault()
    marker.focus({ preventScroll: true })
    if (this.current === marker && this.pinned) this.hide()
    else this.show(marker, true)
  }

  private readonly onMarkerKey = (event: KeyboardEvent): void => {
    const marker = this.markerOf(event.target)
    if (!marker) return
    const markers = (): HTMLElement[] => [...this.view.dom.querySelectorAll<HTMLElement>(`.${MARKER_CLASS}`)]
    const move = (pick: (all: HTMLElement[], index: number) => HTMLElement | undefined): void => {
      const all = markers()
      pick(all, all.indexOf(marker))?.focus()
      event.preventDefault()
    }
    switch (event.key) {
      case 'ArrowDown':
        return move((all, i) => all[i + 1])
      case 'ArrowUp':
        return move((all, i) => all[i - 1])
      case 'Home':
        return move((all) => all[0])
      case 'End':
        return move((all) => all[all.length - 1])
      case 'Escape':
        event.preventDefault()
        event.stopPropagation()
        if (!this.popover.hidden) return this.hide()
        this.focusBlock = null
        this.view.focus()
        return
      default:
    }
  }

  private readonly onDocumentKey = (event: KeyboardEvent): void => {
    if (event.key === 'Escape' && !this.popover.hidden && this.markerOf(event.target) === null) this.hide()
  }
}
