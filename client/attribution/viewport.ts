/**
 * Keeps attribution decorations to the part of a long spec near the viewport.
 *
 * ProseMirror builds and diffs a decoration set in time proportional to (top-level blocks ×
 * decorations), so decorating all 2,000 blocks of a long spec would cost hundreds of
 * milliseconds per attribution message and several per keystroke. Only the top-level blocks in a
 * window around the visible ones get markers and highlights; the window follows scrolling (and
 * focus moving between markers, which scrolls). Short specs fit in one window entirely.
 */
import type { Node } from 'prosemirror-model'
import type { EditorView } from 'prosemirror-view'
import { attributionKey, setBlockWindow } from './commands.js'
import type { BlockWindow } from './decorations.js'

/** Top-level blocks decorated beyond each edge of the visible ones. */
export const WINDOW_MARGIN = 80

/** Re-centre once the visible blocks come this close to an edge of the window. */
const SLACK = 20

/** The window of a freshly opened spec: its first blocks. */
export const initialWindow = (): BlockWindow => ({ start: 0, end: 2 * WINDOW_MARGIN + 40 })

/** Indexes (in `doc`) of the first and last top-level blocks on screen, or null if none are. */
const visibleBlocks = (view: EditorView): { first: number; last: number } | null => {
  const rect = view.dom.getBoundingClientRect()
  const top = Math.max(rect.top, 0)
  const bottom = Math.min(rect.bottom, window.innerHeight)
  if (bottom <= top) return null
  const x = rect.left + rect.width / 2
  const at = (y: number): number | null => view.posAtCoords({ left: x, top: y })?.pos ?? null
  const from = at(top + 1) ?? 0
  const to = at(bottom - 1) ?? view.state.doc.content.size
  const { doc } = view.state
  const index = (pos: number): number => doc.resolve(Math.min(Math.max(pos, 0), doc.content.size)).index(0)
  return { first: index(from), last: index(to) }
}

/** True if `w` covers the top-level blocks `first..last` with room to spare. */
const covers = (w: BlockWindow, first: number, last: number, doc: Node): boolean =>
  (w.start === 0 || first - w.start >= SLACK) && (w.end >= doc.childCount || w.end - last > SLACK)

/** Follows the viewport and moves the attribution plugin's block window when needed. */
export class ViewportWindow {
  private frame: number | null = null

  constructor(private readonly view: EditorView) {
    window.addEventListener('scroll', this.schedule, { capture: true, passive: true })
    window.addEventListener('resize', this.schedule, { passive: true })
    this.schedule()
  }

  destroy(): void {
    window.removeEventListener('scroll', this.schedule, { capture: true })
    window.removeEventListener('resize', this.schedule)
    if (this.frame !== null) cancelAnimationFrame(this.frame)
  }

  /** Checks the window on the next frame (at most once per frame). */
  readonly schedule = (): void => {
    if (this.frame !== null) return
    this.frame = requestAnimationFrame(() => {
      this.frame = null
      this.check()
    })
  }

  private check(): void {
    if (this.view.isDestroyed) return
    const state = attributionKey.getState(this.view.state)
    if (!state) return
    const { doc } = this.view.state
    if (state.window.start === 0 && state.window.end >= doc.childCount) return
    const visible = visibleBlocks(this.view)
    if (visible === null || covers(state.window, visible.first, visible.last, doc)) return
    const next = { start: Math.max(0, visible.first - WINDOW_MARGIN), end: visible.last + 1 + WINDOW_MARGIN }
    setBlockWindow(next)(this.view.state, this.view.dispatch)
  }
}
