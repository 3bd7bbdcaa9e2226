/**
 * Readers of exported files for tests: the same parsers a reader's tools would use (a DOM parser
 * for HTML, markdown-it for Markdown, poppler's pdftotext and pdfinfo for PDF, the ZIP container
 * and its XML for DOCX), plus the appendix figures recomputed from the attribution API's answer.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import MarkdownIt from 'markdown-it'
import { parseHTML } from 'linkedom'
import type { SpecAttribution } from '../../shared/attribution.js'
import { exportOptions, type ExportOptionsInput } from '../../shared/api-export.js'
import { renderExport } from '../../server/export/render-export.js'
import type { ExportFile, ExportSource } from '../../server/export/export-types.js'
import { readZip } from './read-zip.js'

/** Chromium used for PDFs (the config's default). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Renders `source` with `options` (defaults filled in by the API's schema). */
export function render(source: ExportSource, options: ExportOptionsInput, signal = new AbortController().signal): Promise<ExportFile> {
  return renderExport(source, exportOptions.parse(options), { chromiumPath: CHROMIUM }, () => {}, signal)
}

export const text = (file: ExportFile): string => new TextDecoder().decode(file.bytes)

/** The HTML parsed into a DOM document. */
export const htmlDom = (html: string): Document => parseHTML(html).document as unknown as Document

/** Markdown rendered by markdown-it with raw HTML allowed (the risky setting), parsed into a DOM. */
export const markdownDom = (md: string): Document => htmlDom(`<!DOCTYPE html><html><body>${new MarkdownIt({ html: true, linkify: true }).render(md)}</body></html>`)

function withTemp<T>(bytes: Uint8Array, fn: (file: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valence-pdf-'))
  const file = path.join(dir, 'export.pdf')
  try {
    fs.writeFileSync(file, bytes)
    return fn(file)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** The PDF's text as `pdftotext -layout` reads it. */
export const pdfText = (bytes: Uint8Array): string => withTemp(bytes, (f) => execFileSync('pdftotext', ['-layout', f, '-'], { encoding: 'utf8' }))

/** The PDF's metadata as `pdfinfo` prints it. */
export const pdfInfo = (bytes: Uint8Array): string => withTemp(bytes, (f) => execFileSync('pdfinfo', [f], { encoding: 'utf8' }))

/** Every part of a DOCX by name. */
export const docxParts = (bytes: Uint8Array): Map<string, string> => readZip(bytes)

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }
const decodeXml = (s: string): string => s.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_m, e: string) => (e.startsWith('#x') ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : ENTITIES[e]!))

/** The text of each `<w:p>` of a WordprocessingML part, in order. */
export const docxParagraphs = (xml: string): string[] =>
  xml.split(/<\/w:p>/).map((p) => [...p.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>/g)].map((m) => decodeXml(m[1]!)).join(''))

/** Each table row of a part as its cells' texts. */
export const docxRows = (xml: string): string[][] =>
  [...xml.matchAll(/<w:tr>([\s\S]*?)<\/w:tr>/g)].map((row) => [...row[1]!.matchAll(/<w:tc>([\s\S]*?)<\/w:tc>/g)].map((c) => docxParagraphs(c[1]!).join('')))

/** A share as the exports print it. */
export const pct = (share: number): string => `${(share * 100).toFixed(1)}%`

/** Appendix figures recomputed from `GET /api/specs/:id/attribution`, independently of the renderers. */
export function expectedFigures(api: SpecAttribution) {
  const total = api.blocks.reduce((n, b) => n + b.length, 0)
  const people = new Map<string, { name: string; chars: number }>()
  for (const b of api.blocks) {
    for (const c of b.contributors) {
      const p = people.get(c.participantId) ?? { name: c.displayName, chars: 0 }
      p.chars += c.chars
      people.set(c.participantId, p)
    }
  }
  return {
    total,
    customer: api.totals.customer,
    team: api.totals.team,
    customerShare: pct(api.customerShare),
    people: [...people.values()].map((p) => ({ name: p.name, chars: p.chars, share: pct(p.chars / total) }))
  }
}
