/**
 * The brief as CommonMark. The body is written by `prosemirror-markdown`'s serializer with an
 * entry for every node and mark of the spec schema; attribution is a footnote marker `[^n]` at
 * the end of each block's first textblock and a footnote per block at the end (GitHub, pandoc
 * and most renderers show them as footnotes; plain CommonMark shows them as text, which still
 * reads: a definition always starts with a label and a dash, so it is never mistaken for a link
 * reference definition).
 *
 * Escaping: besides the serializer's own (`` ` * \ ~ [ ] _ `` and line-start markers, applied to
 * every piece of text, see {@link SafeState.esc}), `<`, `>`, `&` and `|` are escaped everywhere
 * (no raw HTML, entity or table cell can be typed), and text starting with `=`, `+`, `-` or `@`
 * gets a backslash (never a setext underline, list or formula). Code blocks stay verbatim. Link targets are http(s) or mailto only (the model dropped the others) and
 * percent-encoded where they could end the destination.
 */
import { MarkdownSerializer, MarkdownSerializerState } from 'prosemirror-markdown'
import type { Node as PMNode } from 'prosemirror-model'
import { percent, type BlockNote } from './brief-body.js'
import type { BriefModel } from './brief-model.js'
import { inertCell, markdownDestination, safeHref, writable } from './safe-text.js'

/** Marker host textblock → note, read by the node serializers (through the state's options). */
type Hosts = ReadonlyMap<PMNode, BlockNote>

/** The serializer state's constructor and output, which its type declarations leave out. */
type StateOptions = MarkdownSerializerState['options'] & { hosts?: Hosts }
const StateBase = MarkdownSerializerState as unknown as new (
  nodes: MarkdownSerializer['nodes'],
  marks: MarkdownSerializer['marks'],
  options: StateOptions
) => MarkdownSerializerState & { out: string }

/** The serializer's state with the stricter escaping of the module comment. */
class SafeState extends StateBase {
  /**
   * Every piece of text is escaped as if it started a line: the serializer knows only a block's
   * first line, but a hard break (or a line feed a crafted client typed) starts another, where
   * `# `, `> `, `- `, `1) ` or `===` would become markup. Escaping those mid-line costs nothing:
   * a backslash before punctuation reads as the punctuation.
   */
  override esc(str: string): string {
    return super
      .esc(writable(str), true)
      .replace(/[<>&|]/g, '\\$&')
      .replace(/^(\s*)([=+\-@>*])/, '$1\\$2')
      .replace(/^(\s*\d+)\)/, '$1\\)')
  }
}

const marker = (state: MarkdownSerializerState, node: PMNode): void => {
  const note = (state.options as StateOptions).hosts?.get(node)
  if (note) state.write(` [^${note.number}]`)
}

const serializer = new MarkdownSerializer(
  {
    title(state, node) {
      state.write('# ')
      state.renderInline(node)
      state.closeBlock(node)
    },
    paragraph(state, node) {
      state.renderInline(node)
      marker(state, node)
      state.closeBlock(node)
    },
    heading(state, node) {
      state.write(`${'#'.repeat(Math.min(3, Math.max(1, Number(node.attrs.level) || 1)) + 1)} `)
      state.renderInline(node, false)
      marker(state, node)
      state.closeBlock(node)
    },
    blockquote(state, node) {
      state.wrapBlock('> ', null, node, () => state.renderContent(node))
    },
    code_block(state, node) {
      const text = writable(node.textContent)
      const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((m) => m.length))
      const fence = '`'.repeat(longest + 1)
      state.write(`${fence}\n`)
      state.text(text, false)
      state.ensureNewLine()
      state.write(fence)
      state.closeBlock(node)
      const note = (state.options as StateOptions).hosts?.get(node)
      if (note) {
        state.write(`[^${note.number}]`)
        state.closeBlock(node)
      }
    },
    horizontal_rule(state, node) {
      state.write('---')
      state.closeBlock(node)
    },
    bullet_list(state, node) {
      state.renderList(node, '  ', () => '- ')
    },
    ordered_list(state, node) {
      const start = Number(node.attrs.order) || 1
      const width = String(start + node.childCount - 1).length
      state.renderList(node, ' '.repeat(width + 2), (i) => `${String(start + i).padStart(width, ' ')}. `)
    },
    list_item(state, node) {
      state.renderContent(node)
    },
    hard_break(state, node, parent, index) {
      for (let i = index + 1; i < parent.childCount; i++) {
        if (parent.child(i).type !== node.type) {
          state.write('\\\n')
          return
        }
      }
    },
    text(state, node) {
      state.text(node.text!, true)
    }
  },
  {
    em: { open: '*', close: '*', mixable: true, expelEnclosingWhitespace: true },
    strong: { open: '**', close: '**', mixable: true, expelEnclosingWhitespace: true },
    link: {
      open: '[',
      close: (_state, mark) => {
        const href = safeHref(mark.attrs.href)
        return `](${href === null ? '#' : markdownDestination(href)})`
      },
      mixable: false
    }
  }
)

/** Renders `doc` (the body, its title node skipped) with `serializer`, through {@link SafeState}. */
function body(doc: PMNode, hosts: Hosts): string {
  const state = new SafeState(serializer.nodes, serializer.marks, { tightLists: true, hosts })
  doc.forEach((child, _offset, i) => {
    if (i > 0) state.render(child, doc, i)
  })
  return state.out
}

/** Escapes one line of text (names, notes, labels) for the cover and appendix. */
function line(text: string): string {
  const state = new SafeState(serializer.nodes, serializer.marks, {})
  return state.esc(text.replace(/\s+/g, ' ').trim())
}

/** The brief as Markdown (see the module comment). */
export function renderMarkdown(model: BriefModel): string {
  const out: string[] = []
  const { cover } = model
  out.push(`# ${line(cover.title)}`)
  const facts = [
    `**Version:** ${line(cover.versionLabel)}`,
    `**Date:** ${line(cover.date)}`,
    ...(cover.facilitator ? [`**Facilitator:** ${line(cover.facilitator)}`] : []),
    ...(cover.panels.length > 0 ? [`**Panels:** ${cover.panels.map(line).join(', ')}`] : [])
  ]
  out.push(facts.join('  \n'))
  if (model.scopeNote) out.push(`*${line(model.scopeNote)}*`)
  out.push('---')
  const text = body(model.body.doc, model.body.hosts).trim()
  if (text) out.push(text)
  if (model.appendix) out.push(...appendix(model))
  if (model.body.list.length > 0) out.push(...model.body.list.map(footnote))
  return `${out.join('\n\n')}\n`
}

function footnote(note: BlockNote): string {
  const who = note.contributors.map((c) => `${c.name} (${percent(c.share)})`).join(', ')
  return `[^${note.number}]: ${line(note.text)} — ${line(who || 'no named contributor')}`
}

function appendix(model: BriefModel): string[] {
  const a = model.appendix!
  const out: string[] = []
  if (a.attribution) {
    const at = a.attribution
    out.push('## Appendix: who wrote this brief')
    out.push(
      `The spec holds ${at.totals.chars} characters: ${at.totals.customer} by customers and ${at.totals.team} by the team` +
        `${at.totals.unknown > 0 ? `, ${at.totals.unknown} of unknown authorship` : ''}; customer share ${percent(at.totals.customerShare)}.`
    )
    out.push('### Contributors by panel')
    for (const g of at.groups) {
      out.push(`**${line(g.name)}**`)
      out.push(g.people.map((p) => `- ${line(inertCell(p.name))} (${line(p.role)}): ${p.chars} characters, ${percent(p.share)} of the text`).join('\n'))
    }
    out.push('### Customer share per section')
    out.push(at.sections.map((s) => `- ${line(inertCell(s.title))}: ${percent(s.customerShare)} customer (${s.customer} customer, ${s.team} team characters)`).join('\n'))
    out.push('### Contributions by decision')
    for (const d of at.decisions) {
      out.push(`**${d.label}: ${d.count}**`)
      if (d.items.length > 0) out.push(d.items.map((i) => `- ${line(inertCell(i.author))}: ${line(i.text)}`).join('\n'))
    }
    out.push(`*${line(at.method)}*`)
  }
  if (a.declined) {
    out.push('## Appendix: declined ideas')
    out.push(
      a.declined.length === 0
        ? 'No idea was declined.'
        : a.declined.map((d) => `- ${line(inertCell(d.author))}: ${line(d.text)}\n  Reason: ${line(d.reason ?? 'no reason recorded')}`).join('\n')
    )
  }
  return out
}
