/**
 * Highlights one contribution's words in the editor and scrolls to them: the ProseMirror plugin
 * behind {@link reviewHighlightKey}, its commands, and the mapping of a contribution's `pieces`
 * (base64 `Y.RelativePosition`s from `GET /contributions`) to document positions.
 *
 * Rules: the plugin state is the only place the highlight lives (the review lists read it for
 * "selected", never keep their own copy). Edits map the decorations through the minimal diff
 * (attribution/mapping.ts), so remote keystrokes keep the highlight on the same words; a new
 * contributions list re-applies it from fresh pieces. Positions come from the client's own
 * replica through the sync binding, so they are right for the document on screen even if it
 * moved on since the list was read.
 */
import { Plugin, PluginKey, type Command, type EditorState, type Transaction } from 'prosemirror-state'
import { Decoration, DecorationSet, type EditorView } from 'prosemirror-view'
import { relativePositionToAbsolutePosition, ySyncPluginKey } from 'y-prosemirror'
import * as Y from 'yjs'
import { fromBase64 } from 'lib0/buffer'
import type { ContributionPiece } from '../../shared/api-review.js'
import { decorationMapping } from '../attribution/mapping.js'

/** A document range `[from, to)`. */
export interface Range {
  from: number
  to: number
}

/** State of the review highlight plugin. */
export interface ReviewHighlightState {
  /** The highlighted contribution, or null. */
  contributionId: string | null
  decorations: DecorationSet
}

type Meta = { contributionId: string; ranges: Range[] } | { contributionId: null }

/** Key of the review highlight plugin (read its state with `reviewHighlightKey.getState`). */
export const reviewHighlightKey = new PluginKey<ReviewHighlightState>('valence-review-highlight')

/** Class of the highlighted words (client/styles/review.css). */
export const HIGHLIGHT_CLASS = 'review-highlight'

const build = (state: EditorState, ranges: Range[]): DecorationSet => {
  const size = state.doc.content.size
  const decorations = ranges
    .filter((r) => r.from < r.to && r.from >= 0 && r.to <= size)
    .map((r) => Decoration.inline(r.from, r.to, { class: HIGHLIGHT_CLASS }))
  return DecorationSet.create(state.doc, decorations)
}

const reduce = (tr: Transaction, prev: ReviewHighlightState, state: EditorState): ReviewHighlightState => {
  const meta = tr.getMeta(reviewHighlightKey) as Meta | undefined
  if (meta !== undefined) {
    if (meta.contributionId === null) return { contributionId: null, decorations: DecorationSet.empty }
    return { contributionId: meta.contributionId, decorations: build(state, meta.ranges) }
  }
  if (!tr.docChanged || prev.contributionId === null) return prev
  return { ...prev, decorations: prev.decorations.map(decorationMapping(tr), tr.doc) }
}

/**
 * The review highlight plugin; pass it to the editor when it is created (`createSpecEditor`'s
 * `plugins`). Not added later with `reconfigure`: that recreates every plugin view, and
 * y-prosemirror's undo plugin destroys its UndoManager with its view.
 */
export const reviewHighlightPlugin = (): Plugin<ReviewHighlightState> =>
  new Plugin<ReviewHighlightState>({
    key: reviewHighlightKey,
    state: {
      init: () => ({ contributionId: null, decorations: DecorationSet.empty }),
      apply: (tr, prev, _old, state) => reduce(tr, prev, state)
    },
    props: { decorations: (state) => reviewHighlightKey.getState(state)?.decorations }
  })

/** Command: highlights `ranges` as contribution `contributionId`'s words. */
export const highlightContribution =
  (contributionId: string, ranges: Range[]): Command =>
  (state, dispatch) => {
    if (!reviewHighlightKey.getState(state)) return false
    dispatch?.(state.tr.setMeta(reviewHighlightKey, { contributionId, ranges } satisfies Meta).setMeta('addToHistory', false))
    return true
  }

/** Command: removes the highlight (false if nothing is highlighted). */
export const clearReviewHighlight: Command = (state, dispatch) => {
  if (!reviewHighlightKey.getState(state)?.contributionId) return false
  dispatch?.(state.tr.setMeta(reviewHighlightKey, { contributionId: null } satisfies Meta))
  return true
}

/** The contribution highlighted in `state`, or null. */
export const highlightedContribution = (state: EditorState): string | null =>
  reviewHighlightKey.getState(state)?.contributionId ?? null

type Binding = { doc: Y.Doc; type: Y.XmlFragment; mapping: Parameters<typeof relativePositionToAbsolutePosition>[3] }

const decode = (base64: string): Y.RelativePosition | null => {
  try {
    return Y.decodeRelativePosition(fromBase64(base64))
  } catch {
    return null
  }
}

/**
 * Where `pieces` are in `state`'s document, in order; pieces whose characters this replica
 * does not have (yet), or that cannot be read, are left out.
 */
export const piecesToRanges = (state: EditorState, pieces: readonly ContributionPiece[]): Range[] => {
  const binding = (ySyncPluginKey.getState(state) as { binding?: Binding } | undefined)?.binding
  if (!binding) return []
  const ranges: Range[] = []
  for (const piece of pieces) {
    const [start, end] = [decode(piece.start), decode(piece.end)]
    if (start === null || end === null) continue
    const from = relativePositionToAbsolutePosition(binding.doc, binding.type, start, binding.mapping)
    const to = relativePositionToAbsolutePosition(binding.doc, binding.type, end, binding.mapping)
    if (from === null || to === null || from >= to) continue
    ranges.push({ from, to })
  }
  return ranges
}

/**
 * Characters of the blocks `ranges` are in (each block counted once): what a contribution's
 * characters are compared with for its customer share.
 */
export const blockChars = (state: EditorState, ranges: readonly Range[]): number => {
  const seen = new Set<number>()
  let total = 0
  for (const r of ranges) {
    const $from = state.doc.resolve(r.from)
    const start = $from.start()
    if (seen.has(start)) continue
    seen.add(start)
    total += $from.parent.textContent.length
  }
  return total
}

/** Scrolls the editor so that position `pos` is in the middle of the screen. */
export const scrollToPosition = (view: EditorView, pos: number): void => {
  const { node } = view.domAtPos(pos)
  const element = node instanceof Element ? node : node.parentElement
  const reduced = window.matchMedia('(prefers-reduced-motion: reduce)').matches
  element?.scrollIntoView({ block: 'center', behavior: reduced ? 'auto' : 'smooth' })
}

/**
 * Highlights a contribution and scrolls to its first piece. Returns false (and clears any
 * highlight) when none of its words are in the document on screen.
 */
export const showContribution = (view: EditorView, contributionId: string, pieces: readonly ContributionPiece[]): boolean => {
  const ranges = piecesToRanges(view.state, pieces)
  if (ranges.length === 0) {
    clearReviewHighlight(view.state, view.dispatch)
    return false
  }
  highlightContribution(contributionId, ranges)(view.state, view.dispatch)
  scrollToPosition(view, ranges[0]!.from)
  return true
}
