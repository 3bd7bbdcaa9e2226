/**
 * The brief as one standalone HTML file: cover, body with margin labels ("Customer", "Team",
 * "Mixed · 40% customer"), appendix, and the print stylesheet (print-css.ts) inline.
 *
 * Safety: the file holds no script and no external resource. A Content-Security-Policy meta tag
 * allows only the one inline stylesheet (by its SHA-256), nothing else (`default-src 'none'`), so
 * even a browser that met markup we failed to escape would run nothing. Every text and attribute
 * value is escaped with {@link escapeHtml}; links are http(s) or mailto only, with
 * `rel="noopener noreferrer nofollow"`; appendix cells are made formula-inert (`inertCell`).
 */
import { createHash } from 'node:crypto'
import type { Mark, Node as PMNode } from 'prosemirror-model'
import { percent, type BlockNote } from './brief-body.js'
import type { BriefModel } from './brief-model.js'
import { printCss } from './print-css.js'
import { escapeHtml as esc, inertCell, safeHref } from './safe-text.js'

/** Opening and closing tags of a mark around its text. */
function markTags(mark: Mark): [string, string] | null {
  switch (mark.type.name) {
    case 'strong':
      return ['<strong>', '</strong>']
    case 'em':
      return ['<em>', '</em>']
    case 'link': {
      const href = safeHref(mark.attrs.href)
      return href === null ? null : [`<a href="${esc(href)}" rel="noopener noreferrer nofollow">`, '</a>']
    }
    default:
      return null
  }
}

function inline(node: PMNode): string {
  let out = ''
  node.forEach((child) => {
    if (child.type.name === 'hard_break') {
      out += '<br>'
      return
    }
    if (!child.isText) return
    let html = esc(child.text!)
    for (let i = child.marks.length - 1; i >= 0; i--) {
      const tags = markTags(child.marks[i]!)
      if (tags) html = tags[0] + html + tags[1]
    }
    out += html
  })
  return out
}

/** ` class="blk blk-mixed"` and the label span of an attributed block, or nothing. */
function labelled(note: BlockNote | undefined): { cls: string; label: string } {
  if (!note) return { cls: '', label: '' }
  return { cls: ` class="blk blk-${note.label}" data-attribution="${esc(note.label)}"`, label: `<span class="attr">${esc(note.text)}</span>` }
}

function block(node: PMNode, notes: ReadonlyMap<PMNode, BlockNote>, out: string[]): void {
  const { cls, label } = labelled(notes.get(node))
  switch (node.type.name) {
    case 'paragraph':
      out.push(`<p${cls}>${label}${inline(node)}</p>`)
      return
    case 'heading': {
      const level = Math.min(3, Math.max(1, Number(node.attrs.level) || 1)) + 1
      out.push(`<h${level}${cls}>${label}${inline(node)}</h${level}>`)
      return
    }
    case 'code_block':
      out.push(`<pre${cls}>${label}<code>${esc(node.textContent)}</code></pre>`)
      return
    case 'horizontal_rule':
      out.push('<hr>')
      return
    case 'blockquote':
    case 'list_item': {
      const tag = node.type.name === 'blockquote' ? 'blockquote' : 'li'
      out.push(`<${tag}${cls}>${label}`)
      node.forEach((child) => block(child, notes, out))
      out.push(`</${tag}>`)
      return
    }
    case 'bullet_list':
    case 'ordered_list': {
      const order = Number(node.attrs.order) || 1
      const open = node.type.name === 'bullet_list' ? '<ul>' : order === 1 ? '<ol>' : `<ol start="${order}">`
      out.push(open)
      node.forEach((child) => block(child, notes, out))
      out.push(node.type.name === 'bullet_list' ? '</ul>' : '</ol>')
      return
    }
    default:
      if (node.isTextblock) out.push(`<p${cls}>${label}${inline(node)}</p>`)
  }
}

const cell = (text: string, cls = ''): string => `<td${cls ? ` class="${cls}"` : ''}>${esc(inertCell(text))}</td>`
const num = (n: number | string): string => `<td class="num">${esc(String(n))}</td>`

function appendix(model: BriefModel): string[] {
  const a = model.appendix!
  const out: string[] = ['<section class="appendix">']
  if (a.attribution) {
    const at = a.attribution
    out.push('<h2>Appendix: who wrote this brief</h2>')
    out.push(
      `<p>The spec holds ${at.totals.chars} characters: ${at.totals.customer} by customers and ${at.totals.team} by the team` +
        `${at.totals.unknown > 0 ? `, ${at.totals.unknown} of unknown authorship` : ''}; customer share ${percent(at.totals.customerShare)}.</p>`
    )
    out.push('<h3>Contributors by panel</h3>')
    for (const g of at.groups) {
      out.push(`<table class="contributors"><caption>${esc(g.name)}</caption><thead><tr><th>Contributor</th><th>Role</th><th class="num">Characters</th><th class="num">Share of the text</th></tr></thead><tbody>`)
      for (const p of g.people) out.push(`<tr>${cell(p.name)}${cell(p.role)}${num(p.chars)}${num(percent(p.share))}</tr>`)
      out.push('</tbody></table>')
    }
    out.push('<h3>Customer share per section</h3>')
    out.push('<table class="sections"><thead><tr><th>Section</th><th class="num">Customer characters</th><th class="num">Team characters</th><th class="num">Customer share</th></tr></thead><tbody>')
    for (const s of at.sections) out.push(`<tr>${cell(s.title)}${num(s.customer)}${num(s.team)}${num(percent(s.customerShare))}</tr>`)
    out.push('</tbody></table>')
    out.push('<h3>Contributions by decision</h3>')
    out.push('<table class="decisions"><thead><tr><th>Decision</th><th class="num">Contributions</th></tr></thead><tbody>')
    for (const d of at.decisions) out.push(`<tr>${cell(d.label)}${num(d.count)}</tr>`)
    out.push('</tbody></table>')
    for (const d of at.decisions) {
      if (d.items.length === 0) continue
      out.push(`<h4>${esc(d.label)}</h4><ul class="ideas">`)
      for (const i of d.items) out.push(`<li><strong>${esc(inertCell(i.author))}</strong>: ${esc(i.text)}</li>`)
      out.push('</ul>')
    }
    out.push(`<p class="method">${esc(at.method)}</p>`)
  }
  if (a.declined) {
    out.push('<h2>Appendix: declined ideas</h2>')
    if (a.declined.length === 0) out.push('<p>No idea was declined.</p>')
    else {
      out.push('<table class="declined"><thead><tr><th>Contributor</th><th>Idea</th><th>The team’s reason</th></tr></thead><tbody>')
      for (const d of a.declined) out.push(`<tr>${cell(d.author)}${cell(d.text)}${cell(d.reason ?? 'No reason recorded')}</tr>`)
      out.push('</tbody></table>')
    }
  }
  out.push('</section>')
  return out
}

/** The brief as a standalone HTML document (see the module comment). */
export function renderHtml(model: BriefModel): string {
  const css = printCss(model.options.paper)
  const hash = createHash('sha256').update(css).digest('base64')
  const csp = `default-src 'none'; style-src 'sha256-${hash}'; img-src 'none'; base-uri 'none'; form-action 'none'`
  const { cover } = model
  const out: string[] = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(model.title)}</title>`,
    `<meta name="author" content="${esc(model.creator)}">`,
    `<style>${css}</style>`,
    '</head>',
    `<body class="paper-${model.options.paper}${model.body.list.length > 0 ? ' attributed' : ''}">`,
    '<header class="cover">',
    `<h1 class="brief-title">${esc(cover.title)}</h1>`,
    '<dl>',
    `<dt>Version</dt><dd>${esc(cover.versionLabel)}</dd>`,
    `<dt>Date</dt><dd><time datetime="${esc(cover.isoDate)}">${esc(cover.date)}</time></dd>`,
    ...(cover.facilitator ? [`<dt>Facilitator</dt><dd>${esc(cover.facilitator)}</dd>`] : []),
    ...(cover.panels.length > 0 ? [`<dt>Panels</dt><dd>${cover.panels.map(esc).join(', ')}</dd>`] : []),
    '</dl>',
    ...(model.scopeNote ? [`<p class="scope">${esc(model.scopeNote)}</p>`] : []),
    '</header>',
    '<main class="brief">'
  ]
  model.body.doc.forEach((child, _offset, i) => {
    if (i > 0) block(child, model.body.notes, out)
  })
  out.push('</main>')
  if (model.appendix) out.push(...appendix(model))
  out.push('</body>', '</html>')
  return `${out.join('\n')}\n`
}
