/**
 * The appendix of a brief: who wrote the spec and how its ideas were decided.
 *
 * Every attribution figure is read from the source's `attribution` (exactly what `GET
 * /api/specs/:id/attribution` returned for the exported state): a contributor's characters are
 * the sum of their `chars` over its blocks, shares divide by the sum of the blocks' `length`, and
 * a section's customer share is `customerShareOf` of its blocks' summed `byGroup`. Decisions are
 * the contributions' latest states, as `GET /api/specs/:id/contributions` counts them.
 */
import type { Node as PMNode } from 'prosemirror-model'
import { DECISION_STATES, type DecisionState } from '../../shared/api-review.js'
import { customerShareOf, type BlockAttribution } from '../../shared/attribution.js'
import { NodeName } from '../../shared/schema.js'
import { nodeAtPath, plainText } from './brief-blocks.js'
import type { Namer } from './brief-names.js'
import type { ExportSource } from './export-types.js'

/** One contributor's share of the whole text. */
export interface AppendixPerson {
  id: string
  name: string
  /** "Facilitator", "Team", "Customer", "Viewer" or "Unknown". */
  role: string
  chars: number
  /** chars / all characters of the spec, 0..1. */
  share: number
}

/** The appendix (see the module comment). */
export interface Appendix {
  /** Present when the export carries attribution. */
  attribution: {
    totals: { chars: number; customer: number; team: number; unknown: number; customerShare: number }
    /** "Team" first, then the spec's panels in order, then "Not in a panel of this spec". */
    groups: { name: string; people: AppendixPerson[] }[]
    /** The text before the first heading (with the title), then one section per heading. */
    sections: { title: string; chars: number; customer: number; team: number; customerShare: number }[]
    decisions: { state: DecisionState; label: string; count: number; items: { author: string; text: string }[] }[]
    method: string
  } | null
  /** Declined ideas with the team's reasons, when asked for. */
  declined: { author: string; text: string; reason: string | null }[] | null
}

/** Human labels of decision states. */
export const STATE_LABELS: Readonly<Record<DecisionState, string>> = {
  new: 'Not decided yet',
  under_discussion: 'Under discussion',
  accepted: 'Accepted',
  planned: 'Planned',
  declined: 'Declined'
}

/** How attribution is computed, and its honest limit: one line in every export's appendix. */
export const METHOD_LINE =
  'How attribution is computed: the server records who first typed each character, from their authenticated connection, and moving words (split, join, drag, cut and paste within 10 minutes) keeps their author; shares count characters. Honest limit: text pasted by someone else, or more than 10 minutes after it was cut, counts as the paster’s; neighbouring identical characters cannot be told apart; text written before attribution existed counts for neither side.'

/** Longest idea text quoted in the appendix. */
const MAX_QUOTE = 280

const quote = (text: string): string => {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > MAX_QUOTE ? `${flat.slice(0, MAX_QUOTE)}…` : flat
}

const ROLE_LABELS: Record<string, string> = { facilitator: 'Facilitator', team: 'Team', customer: 'Customer', viewer: 'Viewer' }

/** Builds the appendix; names are asked of `namer` in the order the appendix prints them. */
export function buildAppendix(source: ExportSource, doc: PMNode, namer: Namer, opts: { attribution: boolean; declined: boolean }): Appendix {
  return {
    attribution: opts.attribution ? attributionPart(source, doc, namer) : null,
    declined: opts.declined
      ? source.contributions
          .filter((c) => c.state === 'declined')
          .map((c) => ({ author: namer.name(c.authorId), text: namer.scrub(quote(c.text)), reason: c.note === null ? null : namer.scrub(c.note) }))
      : null
  }
}

function attributionPart(source: ExportSource, doc: PMNode, namer: Namer): NonNullable<Appendix['attribution']> {
  const blocks = source.attribution.blocks
  const chars = blocks.reduce((n, b) => n + b.length, 0)
  const { totals } = source.attribution
  const perPerson = new Map<string, number>()
  for (const b of blocks) for (const c of b.contributors) perPerson.set(c.participantId, (perPerson.get(c.participantId) ?? 0) + c.chars)
  const ranked = [...perPerson].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
  const team: AppendixPerson[] = []
  const byPanel = new Map<string, AppendixPerson[]>(source.panels.map((p) => [p.id, []]))
  const outside: AppendixPerson[] = []
  const person = (id: string, n: number): AppendixPerson => {
    const role = namer.participant(id)?.role ?? null
    return { id, name: '', role: role === null ? 'Unknown' : (ROLE_LABELS[role] ?? role), chars: n, share: chars === 0 ? 0 : n / chars }
  }
  for (const [id, n] of ranked) {
    const p = person(id, n)
    if (!namer.isCustomer(id)) team.push(p)
    else {
      const panels = (namer.participant(id)?.panelIds ?? []).filter((pid) => byPanel.has(pid))
      if (panels.length === 0) outside.push(p)
      for (const pid of panels) byPanel.get(pid)!.push({ ...p })
    }
  }
  const groups = [
    { name: 'Team', people: team },
    ...source.panels.map((p) => ({ name: namer.scrub(p.name), people: byPanel.get(p.id)! })),
    { name: 'Not in a panel of this spec', people: outside }
  ].filter((g) => g.people.length > 0)
  for (const g of groups) for (const p of g.people) p.name = namer.name(p.id)

  const decisions = DECISION_STATES.map((state) => {
    const items = source.contributions.filter((c) => c.state === state)
    return { state, label: STATE_LABELS[state], count: items.length, items: items.map((c) => ({ author: namer.name(c.authorId), text: namer.scrub(quote(c.text)) })) }
  })
  return {
    totals: { chars, customer: totals.customer, team: totals.team, unknown: totals.unknown, customerShare: source.attribution.customerShare },
    groups,
    sections: sectionsOf(blocks, doc, namer),
    decisions,
    method: METHOD_LINE
  }
}

/** Sections: everything before the first heading, then one per heading (any level), in order. */
function sectionsOf(blocks: readonly BlockAttribution[], doc: PMNode, namer: Namer): NonNullable<Appendix['attribution']>['sections'] {
  const sections: { title: string; chars: number; customer: number; team: number; unknown: number }[] = []
  let current = { title: 'Opening (title and text before the first heading)', chars: 0, customer: 0, team: 0, unknown: 0 }
  sections.push(current)
  for (const b of blocks) {
    if (b.type === NodeName.heading) {
      const node = nodeAtPath(doc, b.path)
      current = { title: namer.scrub(node ? plainText(node) : b.excerpt) || '(untitled heading)', chars: 0, customer: 0, team: 0, unknown: 0 }
      sections.push(current)
    }
    current.chars += b.length
    current.customer += b.byGroup.customer
    current.team += b.byGroup.team
    current.unknown += b.byGroup.unknown
  }
  return sections.filter((s, i) => i > 0 || s.chars > 0).map((s) => ({ title: s.title, chars: s.chars, customer: s.customer, team: s.team, customerShare: customerShareOf(s) }))
}
