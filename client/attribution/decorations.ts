/**
 * Turns a server attribution into decorations of the local document: a marker widget at the
 * start of each block and run highlights (by side or by person).
 *
 * Built once per attribution message or option change; between messages the plugin only maps
 * the set through local transactions. A block whose text length differs from the server's (the
 * local copy is a few keystrokes ahead) keeps its previous, mapped highlights instead of getting
 * runs that would no longer line up with its characters.
 */
import type { Node } from 'prosemirror-model'
import { Decoration, DecorationSet } from 'prosemirror-view'
import type { SpecAttribution } from '../../shared/attribution.js'
import { participantColor } from '../../shared/identity.js'
import { blockTextLength, forEachBlockText, type LocalBlock } from './blocks.js'
import { peopleOf, roleName, type People } from './describe.js'
import { createMarker, markerKey } from './marker.js'
import { resolveBlocks } from './resolve.js'

/** How text runs are highlighted. */
export type HighlightMode = 'off' | 'side' | 'person'

/** Top-level block indexes `[start, end)` that get decorations (see `viewport.ts`). */
export interface BlockWindow {
  readonly start: number
  readonly end: number
}

/** What the viewer chose to see. */
export interface DecorationOptions {
  readonly mode: HighlightMode
  /**
   * Dim blocks labelled `team` or `none` ("Dim team text"). Drawn by CSS from a class
   * on the editor and each marker's label (no decorations: toggling it costs nothing).
   */
  readonly customerOnly: boolean
}

/** Spec of a run highlight, to find them again (see the module comment). */
interface RunSpec {
  readonly attrRun: HighlightMode
}

const isRunOf =
  (mode: HighlightMode) =>
  (spec: unknown): boolean =>
    (spec as Partial<RunSpec>).attrRun === mode

/** Inline attributes of a run by `authorId` in `mode`, or null for no highlight. */
const runAttrs = (authorId: string | null, mode: HighlightMode, people: People): Record<string, string> | null => {
  if (authorId === null) return null
  const person = people.get(authorId)
  const who = person ? `${person.displayName} (${roleName(person.role)})` : 'Unknown participant'
  if (mode === 'side') {
    const group = person?.group ?? null
    if (group === null) return null
    return { class: `attr-run attr-run-${group}`, title: `Written by ${who}` }
  }
  return {
    class: `attr-run attr-run-person attr-run-person-${person?.group ?? 'unknown'}`,
    style: `--attr-person: ${participantColor(authorId)}`,
    title: `Written by ${who}`
  }
}

/** Adds the run highlights of one block whose local text matches the server's length. */
const addRuns = (
  out: Decoration[],
  local: LocalBlock,
  runs: SpecAttribution['blocks'][number]['runs'],
  mode: HighlightMode,
  people: People
): void => {
  let run = 0
  let usedOfRun = 0
  forEachBlockText(local.node, local.pos, (text, pos) => {
    let offset = 0
    while (offset < text.length && run < runs.length) {
      const current = runs[run]!
      const take = Math.min(current.length - usedOfRun, text.length - offset)
      const attrs = take > 0 ? runAttrs(current.authorId, mode, people) : null
      if (attrs) out.push(Decoration.inline(pos + offset, pos + offset + take, attrs, { attrRun: mode } satisfies RunSpec))
      offset += take
      usedOfRun += take
      if (usedOfRun >= current.length) {
        run++
        usedOfRun = 0
      }
    }
  })
}

/** The highlights `previous` holds over the block's own text (not its nested lists). */
const previousRuns = (previous: DecorationSet, local: LocalBlock, mode: HighlightMode): Decoration[] => {
  const found = new Set<Decoration>()
  forEachBlockText(local.node, local.pos, (text, pos) => {
    for (const d of previous.find(pos, pos + text.length, isRunOf(mode))) found.add(d)
  })
  return [...found]
}

/**
 * Decorations for `attribution` over the top-level blocks `options.window` of `doc`. `previous` is the current (already mapped) set, whose
 * highlights are kept for blocks that are ahead of the server.
 */
export const buildDecorations = (
  doc: Node,
  attribution: SpecAttribution | null,
  options: Pick<DecorationOptions, 'mode'> & { readonly window: BlockWindow },
  previous: DecorationSet
): DecorationSet => {
  if (attribution === null) return DecorationSet.empty
  const people = peopleOf(attribution)
  const out: Decoration[] = []
  const { start, end } = options.window
  for (const { block, local } of resolveBlocks(doc, attribution)) {
    const top = local.path[0]!
    if (top < start || top >= end) continue
    if (block.length > 0 || block.label !== 'none') {
      out.push(
        Decoration.widget(local.pos + 1, () => createMarker(block, people), {
          side: -1,
          key: markerKey(block),
          ignoreSelection: true,
          stopEvent: () => true,
          attrMarker: true
        })
      )
    }
    if (options.mode === 'off') continue
    if (blockTextLength(local.node) === block.length) addRuns(out, local, block.runs, options.mode, people)
    else out.push(...previousRuns(previous, local, options.mode))
  }
  return DecorationSet.create(doc, out)
}
