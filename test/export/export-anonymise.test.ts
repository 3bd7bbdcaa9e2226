/**
 * Anonymised exports name no customer anywhere, in any format, metadata included (DOCX parts and
 * core properties, PDF text and info), while customers are numbered by first appearance and
 * keep their number everywhere; the `accepted` content filter keeps team text and accepted or
 * planned ideas only, and the declined appendix gives the team's reasons.
 */
import { describe, expect, it } from 'vitest'
import { buildFixture, type Fixture } from './brief-fixture.js'
import { docxParts, htmlDom, pdfInfo, pdfText, render, text } from './read-export.js'

let fixture: Promise<Fixture> | null = null
const spec = (): Promise<Fixture> => (fixture ??= buildFixture())

/** Every name, name part (as a whole word: "Cem" is in "December") or email of a customer. */
function forbidden(f: Fixture): RegExp[] {
  return f.people.customers.flatMap((c) => [c.name, c.email, ...c.name.split(' ')].map((s) => new RegExp(`(?<![\\p{L}])${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}])`, 'iu')))
}

function expectNone(haystack: string, f: Fixture, where: string): void {
  for (const needle of forbidden(f)) expect(needle.test(haystack), `${where} matches ${String(needle)}`).toBe(false)
}

const ANONYMOUS = { anonymise: true, declinedAppendix: true } as const

describe('anonymised exports', () => {
  it('positive control: a named export does name the customers (same readers)', async () => {
    const f = await spec()
    const md = text(await render(f.source, { format: 'markdown', declinedAppendix: true }))
    for (const c of f.people.customers) expect(md).toContain(c.name)
    expect(md).toContain('carla.mendes@acme.example')
  }, 60_000)

  it('Markdown and HTML hold no customer name or email; customers are numbered by first appearance', async () => {
    const f = await spec()
    const md = text(await render(f.source, { format: 'markdown', ...ANONYMOUS }))
    expectNone(md, f, 'markdown')
    // Carla writes first in the body, so she is Customer 1 everywhere, her own words included.
    expect(md).toContain('Customer 1 here: we need PDF export')
    expect(md).toContain('Write to Customer 1 for details.')
    expect(md).toMatch(/\*\*Acme pilot\*\*\n\n- Customer 1 \(Customer\)/)
    expect(md).toMatch(/\*\*Bolt users\*\*\n\n- Customer 2 \(Customer\)/)
    expect(md).toMatch(/^\[\^\d+\]: Mixed · 67% customer — Customer 2 \(67\.4%\), Tom Teamson/m)
    // Team members keep their names.
    expect(md).toContain('Tom Teamson')
    const html = text(await render(f.source, { format: 'html', ...ANONYMOUS }))
    expectNone(html, f, 'html')
    expect(htmlDom(html).querySelector('table.declined tbody tr')!.textContent).toBe('Customer 2Bulk import from spreadsheetsOut of scope for this release')
  }, 60_000)

  it('DOCX: no customer name or email in any part, core properties included', async () => {
    const f = await spec()
    for (const docxAttribution of ['comments', 'footnotes'] as const) {
      const parts = docxParts((await render(f.source, { format: 'docx', docxAttribution, ...ANONYMOUS })).bytes)
      for (const [name, xml] of parts) expectNone(xml, f, `docx ${name}`)
      expect(parts.get('docProps/core.xml')).toContain('<dc:creator>Valence</dc:creator>')
      expect(parts.get('docProps/core.xml')).toContain('<cp:lastModifiedBy>Valence</cp:lastModifiedBy>')
      expect(parts.get(docxAttribution === 'comments' ? 'word/comments.xml' : 'word/footnotes.xml')).toContain('Customer 1 (100.0%)')
    }
  }, 60_000)

  it('PDF: no customer name or email in its text or metadata', async () => {
    const f = await spec()
    const file = await render(f.source, { format: 'pdf', ...ANONYMOUS })
    const pdf = pdfText(file.bytes)
    expect(pdf).toContain('Customer 1 here')
    expectNone(pdf, f, 'pdf text')
    expectNone(pdfInfo(file.bytes), f, 'pdf info')
    // The raw bytes too (metadata streams, outline, tags).
    expectNone(Buffer.from(file.bytes).toString('latin1'), f, 'pdf bytes')
  }, 60_000)

  it('content "accepted" keeps team text and accepted or planned ideas; the appendix still describes the whole spec', async () => {
    const f = await spec()
    const md = text(await render(f.source, { format: 'markdown', content: 'accepted', declinedAppendix: true }))
    const body = md.slice(md.indexOf('---'), md.indexOf('## Appendix'))
    expect(body).toContain('Carla Mendes here: we need PDF export with page numbers.') // accepted
    expect(body).toContain('(team: in Q3)') // team words of the mixed block stay
    expect(body).not.toContain('Bulk import') // declined
    expect(body).not.toContain('Dark mode for night shifts') // under discussion
    // The kept part of the mixed block is the team's: its label says so.
    expect(md).toMatch(/^\[\^\d+\]: Team — Tom Teamson \(100\.0%\)$/m)
    expect(md).toContain('only the customer ideas accepted or planned')
    expect(md).toContain('- Cem Yılmaz: Bulk import from spreadsheets\n  Reason: Out of scope for this release')
    const html = text(await render(f.source, { format: 'html', content: 'accepted' }))
    expect(htmlDom(html).querySelector('main')!.textContent).not.toContain('Dark mode')
  }, 60_000)
})
