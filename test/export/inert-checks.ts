/**
 * Checks that an exported file holds nothing but the markup its renderer writes: hostile text
 * (script, markup, formulas, links to other schemes) must come out as text. Used by the seeded
 * injection test.
 */
import { expect } from 'vitest'
import { docxParts, docxRows, htmlDom, markdownDom } from './read-export.js'

const SAFE_HREF = /^(https?:|mailto:)/i

/** Elements and attributes the HTML renderer writes; anything else was injected. */
const HTML_TAGS = new Set(['html', 'head', 'meta', 'title', 'style', 'body', 'header', 'h1', 'h2', 'h3', 'h4', 'dl', 'dt', 'dd', 'time', 'p', 'main', 'ul', 'ol', 'li', 'blockquote', 'pre', 'code', 'span', 'strong', 'em', 'a', 'br', 'hr', 'section', 'table', 'caption', 'thead', 'tbody', 'tr', 'th', 'td'])
const HTML_ATTRS = new Set(['class', 'data-attribution', 'href', 'rel', 'start', 'datetime', 'lang', 'charset', 'http-equiv', 'content', 'name'])
/** What markdown-it makes of the Markdown renderer's output. */
const MD_TAGS = new Set(['html', 'head', 'body', 'h1', 'h2', 'h3', 'h4', 'p', 'ul', 'ol', 'li', 'blockquote', 'pre', 'code', 'strong', 'em', 'a', 'br', 'hr'])
const MD_ATTRS = new Set(['href', 'start'])

function expectOnly(doc: Document, tags: ReadonlySet<string>, attrs: ReadonlySet<string>, where: string): void {
  for (const el of doc.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase()
    expect(tags.has(tag), `${where}: injected <${tag}>`).toBe(true)
    for (const name of el.getAttributeNames()) expect(attrs.has(name.toLowerCase()), `${where}: injected attribute ${name} on <${tag}>`).toBe(true)
    if (tag === 'a') expect(el.getAttribute('href') ?? '', `${where}: link ${el.getAttribute('href')}`).toMatch(SAFE_HREF)
  }
}

/** A cell or line that a spreadsheet would read as a formula. */
const FORMULA = /^[=+\-@\t\r]/

/** HTML: only the renderer's elements and attributes, one stylesheet, safe links, inert cells. */
export function expectInertHtml(html: string): void {
  const doc = htmlDom(html)
  expectOnly(doc, HTML_TAGS, HTML_ATTRS, 'html')
  expect(doc.querySelectorAll('style')).toHaveLength(1)
  expect(doc.querySelectorAll('meta')).toHaveLength(5)
  expect(doc.querySelectorAll('title')).toHaveLength(1)
  expect(doc.querySelector('meta[http-equiv]')!.getAttribute('content')).toMatch(/^default-src 'none';/)
  for (const td of doc.querySelectorAll('td')) expect(td.textContent ?? '', 'html cell').not.toMatch(FORMULA)
}

/**
 * Markdown: rendered with raw HTML allowed, only Markdown's own elements, one h1 (the title) and
 * one rule (after the cover); outside code blocks (verbatim), no line starts a formula.
 */
export function expectInertMarkdown(md: string): void {
  const dom = markdownDom(md)
  expectOnly(dom, MD_TAGS, MD_ATTRS, 'markdown')
  expect(dom.querySelectorAll('h1'), 'markdown: injected heading').toHaveLength(1)
  expect(dom.querySelectorAll('hr'), 'markdown: injected rule').toHaveLength(1)
  let fence: string | null = null
  for (const line of md.split('\n')) {
    const marker = /^\s*(`{3,})\s*$/.exec(line)?.[1]
    if (marker !== undefined && (fence === null || marker === fence)) {
      fence = fence === null ? marker : null
      continue
    }
    if (fence === null) expect(line, 'markdown line').not.toMatch(/^\s*(?:[=+@]|-(?![ -]|$))/)
  }
}

/** A strict enough XML well-formedness check: balanced tags, quoted attributes, escaped text. */
function expectWellFormed(xml: string, where: string): void {
  const body = xml.replace(/^<\?xml[^?]*\?>/, '')
  const stack: string[] = []
  for (const m of body.matchAll(/<([^>]*)>|([^<]+)/g)) {
    if (m[2] !== undefined) {
      expect(m[2].replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, ''), `${where}: unescaped & in text`).not.toContain('&')
      continue
    }
    const tag = m[1]!
    expect(/^(\/?)([\w:.-]+)((\s+[\w:.-]+="[^"<]*")*)\s*(\/?)$/.test(tag), `${where}: malformed tag <${tag.slice(0, 80)}>`).toBe(true)
    const [, close, name, , , self] = /^(\/?)([\w:.-]+)((\s+[\w:.-]+="[^"<]*")*)\s*(\/?)$/.exec(tag)!
    if (close) expect(stack.pop(), `${where}: </${name}> closes another element`).toBe(name)
    else if (!self) stack.push(name!)
  }
  expect(stack, `${where}: unclosed elements`).toEqual([])
}

/** DOCX: every part well-formed, external links safe, no field but page numbers, inert cells. */
export function expectInertDocx(bytes: Uint8Array): void {
  const parts = docxParts(bytes)
  for (const [name, xml] of parts) if (name.endsWith('.xml') || name.endsWith('.rels')) expectWellFormed(xml, name)
  for (const [name, xml] of parts) {
    if (!name.endsWith('.rels')) continue
    for (const m of xml.matchAll(/<Relationship [^>]*Target="([^"]*)"[^>]*TargetMode="External"/g)) expect(m[1], `${name}: external target`).toMatch(SAFE_HREF)
  }
  const doc = parts.get('word/document.xml')!
  for (const row of docxRows(doc)) for (const cell of row) expect(cell, 'docx cell').not.toMatch(FORMULA)
  for (const [name, xml] of parts) {
    for (const m of xml.matchAll(/<w:instrText[^>]*>([^<]*)<\/w:instrText>/g)) expect(m[1]!.trim(), `${name}: field`).toMatch(/^(PAGE|NUMPAGES)$/)
  }
}
