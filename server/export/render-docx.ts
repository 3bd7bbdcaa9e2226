/**
 * The brief as DOCX, built with the `docx` library: the cover, the body as real Word structure
 * (Title and Heading 1-3 styles, bulleted and numbered lists through Word numbering with nested
 * levels, the "Quote" and "Code" paragraph styles, links as external hyperlinks, bold and italic
 * runs) and the appendix as tables. Attribution is a Word comment on each block's first
 * paragraph, or a footnote at its end (`options.docxAttribution`). Core properties: the title
 * (scrubbed when anonymised) and the facilitator as creator (never a customer: "Valence" when
 * anonymised or unknown). Page numbers are a footer field.
 *
 * Text goes into runs as text (the library escapes XML); characters XML cannot hold are
 * replaced (`writable`), links are http(s) or mailto only, appendix cells are formula-inert.
 */
import {
  AlignmentType,
  CommentRangeEnd,
  CommentRangeStart,
  CommentReference,
  Document,
  ExternalHyperlink,
  Footer,
  FootnoteReferenceRun,
  HeadingLevel,
  Packer,
  PageBreak,
  PageNumber,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
  type ICommentOptions,
  type ParagraphChild
} from 'docx'
import type { Node as PMNode } from 'prosemirror-model'
import { percent, type BlockNote } from './brief-body.js'
import type { BriefModel } from './brief-model.js'
import { BULLETS, numbering, numberedRef, PAGE, STYLE, styles } from './docx-styles.js'
import type { ExportProgress } from './export-types.js'
import { inertCell, safeHref, writable } from './safe-text.js'

const HEADINGS = [HeadingLevel.HEADING_1, HeadingLevel.HEADING_2, HeadingLevel.HEADING_3] as const

/** Where a paragraph sits: its list level and numbering, and whether it is in a quote. */
interface Place {
  list: { reference: string; level: number; instance: number } | null
  /** A list item's later paragraphs: indented like the item, without a number. */
  continued: number | null
  quote: boolean
}

/** Walks the body and collects paragraphs, comments and footnotes. */
class DocxBody {
  readonly children: (Paragraph | Table)[] = []
  readonly comments: ICommentOptions[] = []
  readonly footnotes: Record<string, { children: Paragraph[] }> = {}
  readonly starts = new Set<number>()
  private instances = 0

  constructor(
    private readonly hosts: ReadonlyMap<PMNode, BlockNote>,
    private readonly style: 'comments' | 'footnotes',
    private readonly author: string
  ) {}

  block(node: PMNode, place: Place): void {
    switch (node.type.name) {
      case 'paragraph':
        this.paragraph(node, place, {})
        return
      case 'heading':
        this.paragraph(node, place, { heading: HEADINGS[Math.min(3, Math.max(1, Number(node.attrs.level) || 1)) - 1] })
        return
      case 'code_block':
        this.paragraph(node, place, { style: STYLE.code, code: true })
        return
      case 'horizontal_rule':
        this.children.push(new Paragraph({ thematicBreak: true }))
        return
      case 'blockquote':
        node.forEach((child) => this.block(child, { ...place, quote: true }))
        return
      case 'bullet_list':
      case 'ordered_list': {
        const level = place.list ? Math.min(8, place.list.level + 1) : 0
        const start = Number(node.attrs.order) || 1
        if (node.type.name === 'ordered_list') this.starts.add(start)
        const reference = node.type.name === 'bullet_list' ? BULLETS : numberedRef(start)
        // Each numbered list restarts its numbers: a new instance of its numbering.
        const list = { reference, level, instance: ++this.instances }
        node.forEach((item) =>
          item.forEach((child, _offset, i) => {
            if (i === 0 && child.isTextblock) this.block(child, { ...place, list, continued: null })
            else this.block(child, child.type.name === 'bullet_list' || child.type.name === 'ordered_list' ? { ...place, list, continued: null } : { ...place, list: null, continued: level })
          })
        )
        return
      }
      default:
        if (node.isTextblock) this.paragraph(node, place, {})
    }
  }

  private paragraph(node: PMNode, place: Place, opts: { heading?: (typeof HEADINGS)[number]; style?: string; code?: boolean }): void {
    const runs: ParagraphChild[] = opts.code ? codeRuns(node.textContent) : inlineRuns(node)
    const note = this.hosts.get(node)
    if (note) this.attach(note, runs)
    this.children.push(
      new Paragraph({
        children: runs,
        ...(opts.heading ? { heading: opts.heading } : {}),
        ...(opts.style ? { style: opts.style } : place.quote && !opts.heading ? { style: STYLE.quote } : {}),
        ...(place.list ? { numbering: { reference: place.list.reference, level: place.list.level, instance: place.list.instance } } : {}),
        ...(place.continued !== null ? { indent: { left: 720 * (place.continued + 1) } } : {})
      })
    )
  }

  /** Adds the block's attribution around (comment) or after (footnote) its runs. */
  private attach(note: BlockNote, runs: ParagraphChild[]): void {
    const text = `${note.text} — ${note.contributors.map((c) => `${c.name} (${percent(c.share)})`).join(', ') || 'no named contributor'}`
    if (this.style === 'comments') {
      this.comments.push({ id: note.number, author: this.author, initials: 'V', children: [new Paragraph({ children: [new TextRun(writable(text))] })] })
      runs.unshift(new CommentRangeStart(note.number))
      runs.push(new CommentRangeEnd(note.number), new TextRun({ children: [new CommentReference(note.number)] }))
    } else {
      this.footnotes[String(note.number)] = { children: [new Paragraph({ children: [new TextRun(writable(text))] })] }
      runs.push(new FootnoteReferenceRun(note.number))
    }
  }
}

function inlineRuns(node: PMNode): ParagraphChild[] {
  const runs: ParagraphChild[] = []
  node.forEach((child) => {
    if (child.type.name === 'hard_break') {
      runs.push(new TextRun({ break: 1 }))
      return
    }
    if (!child.isText) return
    const marks = new Set(child.marks.map((m) => m.type.name))
    const link = child.marks.find((m) => m.type.name === 'link')
    const href = link ? safeHref(link.attrs.href) : null
    const run = new TextRun({ text: writable(child.text!), bold: marks.has('strong'), italics: marks.has('em'), ...(href ? { style: 'Hyperlink' } : {}) })
    runs.push(href ? new ExternalHyperlink({ link: href, children: [run] }) : run)
  })
  return runs
}

function codeRuns(text: string): ParagraphChild[] {
  return writable(text)
    .split('\n')
    .map((line, i) => new TextRun({ text: line, ...(i > 0 ? { break: 1 } : {}) }))
}

const p = (text: string, style?: string): Paragraph => new Paragraph({ children: [new TextRun(writable(text))], ...(style ? { style } : {}) })
const h = (text: string, level: 0 | 1 | 2): Paragraph => new Paragraph({ heading: HEADINGS[level], children: [new TextRun(writable(text))] })

function table(head: string[], rows: (string | number)[][], numeric: ReadonlySet<number>): Table {
  const row = (cells: (string | number)[], header: boolean) =>
    new TableRow({
      tableHeader: header,
      cantSplit: true,
      children: cells.map(
        (c, i) =>
          new TableCell({
            children: [
              new Paragraph({
                alignment: numeric.has(i) ? AlignmentType.RIGHT : AlignmentType.LEFT,
                children: [new TextRun({ text: writable(typeof c === 'number' ? String(c) : header ? c : inertCell(c)), bold: header })]
              })
            ]
          })
      )
    })
  return new Table({ width: { size: 100, type: WidthType.PERCENTAGE }, rows: [row(head, true), ...rows.map((r) => row(r, false))] })
}

function appendix(model: BriefModel): (Paragraph | Table)[] {
  const a = model.appendix!
  const out: (Paragraph | Table)[] = []
  if (a.attribution) {
    const at = a.attribution
    out.push(new Paragraph({ children: [new PageBreak()] }), h('Appendix: who wrote this brief', 0))
    out.push(
      p(
        `The spec holds ${at.totals.chars} characters: ${at.totals.customer} by customers and ${at.totals.team} by the team` +
          `${at.totals.unknown > 0 ? `, ${at.totals.unknown} of unknown authorship` : ''}; customer share ${percent(at.totals.customerShare)}.`
      )
    )
    out.push(h('Contributors by panel', 1))
    for (const g of at.groups) {
      out.push(h(g.name, 2), table(['Contributor', 'Role', 'Characters', 'Share of the text'], g.people.map((x) => [x.name, x.role, x.chars, percent(x.share)]), new Set([2, 3])))
    }
    out.push(h('Customer share per section', 1))
    out.push(table(['Section', 'Customer characters', 'Team characters', 'Customer share'], at.sections.map((s) => [s.title, s.customer, s.team, percent(s.customerShare)]), new Set([1, 2, 3])))
    out.push(h('Contributions by decision', 1))
    out.push(table(['Decision', 'Contributions'], at.decisions.map((d) => [d.label, d.count]), new Set([1])))
    for (const d of at.decisions) {
      if (d.items.length === 0) continue
      out.push(h(d.label, 2), table(['Contributor', 'Idea'], d.items.map((i) => [i.author, i.text]), new Set()))
    }
    out.push(p(at.method, STYLE.note))
  }
  if (a.declined) {
    out.push(h('Appendix: declined ideas', 0))
    out.push(a.declined.length === 0 ? p('No idea was declined.') : table(['Contributor', 'Idea', 'The team’s reason'], a.declined.map((d) => [d.author, d.text, d.reason ?? 'No reason recorded']), new Set()))
  }
  return out
}

/** The brief as DOCX bytes (see the module comment). */
export async function renderDocx(model: BriefModel, progress: ExportProgress, signal: AbortSignal): Promise<Uint8Array> {
  const { cover, options } = model
  const body = new DocxBody(model.body.hosts, options.docxAttribution, 'Valence attribution')
  const fact = (label: string, value: string): Paragraph =>
    new Paragraph({ style: STYLE.coverFact, children: [new TextRun({ text: `${label}: `, bold: true }), new TextRun(writable(value))] })
  const coverPart: Paragraph[] = [
    new Paragraph({ heading: HeadingLevel.TITLE, children: [new TextRun(writable(cover.title))] }),
    fact('Version', cover.versionLabel),
    fact('Date', cover.date),
    ...(cover.facilitator ? [fact('Facilitator', cover.facilitator)] : []),
    ...(cover.panels.length > 0 ? [fact('Panels', cover.panels.join(', '))] : []),
    ...(model.scopeNote ? [p(model.scopeNote, STYLE.note)] : []),
    new Paragraph({ children: [new PageBreak()] })
  ]
  model.body.doc.forEach((child, _offset, i) => {
    if (i > 0) body.block(child, { list: null, continued: null, quote: false })
  })
  signal.throwIfAborted()
  progress(0.5, 'Writing the Word document')
  const doc = new Document({
    title: model.title,
    creator: model.creator,
    lastModifiedBy: model.creator,
    description: 'Brief exported from Valence',
    styles,
    numbering: numbering(body.starts),
    comments: { children: body.comments },
    footnotes: body.footnotes,
    sections: [
      {
        properties: { page: { size: PAGE[options.paper], margin: { top: 1134, bottom: 1247, left: 1020, right: 1020 } } },
        footers: {
          default: new Footer({
            children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ children: ['Page ', PageNumber.CURRENT, ' of ', PageNumber.TOTAL_PAGES], size: 18 })] })]
          })
        },
        children: [...coverPart, ...body.children, ...(model.appendix ? appendix(model) : [])]
      }
    ]
  })
  const bytes = await Packer.toBuffer(doc)
  signal.throwIfAborted()
  progress(0.95, 'Word document written')
  return new Uint8Array(bytes)
}
