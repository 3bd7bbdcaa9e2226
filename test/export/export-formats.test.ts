/**
 * Every format of a scripted spec built through a real server (brief-fixture.ts: title,
 * headings, nested lists, a quote, code, a link, bold and italic, customer and team paragraphs,
 * a split paragraph and a mixed one): the output parses with a reader's tools, holds the text,
 * the structure and the attribution markers, and its appendix figures equal what `GET
 * /api/specs/:id/attribution` reports.
 */
import { describe, expect, it } from 'vitest'
import { buildFixture, type Fixture } from './brief-fixture.js'
import { docxParagraphs, docxParts, docxRows, expectedFigures, htmlDom, markdownDom, pct, pdfInfo, pdfText, render, text } from './read-export.js'

let fixture: Promise<Fixture> | null = null
/** One scripted spec for the whole file (its service stops after the first test; the source is data). */
const spec = (): Promise<Fixture> => (fixture ??= buildFixture())

const BODY_TEXTS = ['Goals', 'We will ship', 'offline mode', 'dark theme', 'the roadmap', 'Sync', 'Search', 'Full text', 'Filters', 'Quality over speed.', 'npm run export', 'Customer ideas', 'we need PDF export with page numbers.', 'Bulk import from spreadsheets (team: in Q3)', 'Dark mode for night shifts']

/** Labels the attribution API gives the non-title blocks, in document order, as the exports print them. */
function apiLabels(f: Fixture): string[] {
  return f.api.attribution.blocks
    .filter((b) => b.type !== 'title' && b.label !== 'none')
    .map((b) => (b.label === 'mixed' ? `Mixed · ${Math.round(b.customerShare * 100)}% customer` : b.label === 'customer' ? 'Customer' : 'Team'))
}

describe('export formats', () => {
  it('gathers the source from the same code as the attribution API', async () => {
    const f = await spec()
    expect(f.source.attribution).toEqual(f.api.attribution)
    // Contribution ranges hold exactly each contribution's words, through the split.
    const carla = f.source.contributions.find((c) => c.text.startsWith('Carla Mendes here'))!
    expect(carla.ranges.map((r) => r.path)).toHaveLength(2)
    expect(carla.text).toBe('Carla Mendes here: we need PDF export with page numbers.\n Write to carla.mendes@acme.example for details.')
    expect(f.source.contributions.map((c) => c.state).sort()).toEqual(['accepted', 'declined', 'under_discussion'])
    expect(f.source.facilitator?.displayName).toBe('Fay Facilitator')
    expect(f.source.panels.map((p) => p.name)).toEqual(['Acme pilot', 'Bolt users'])
  }, 60_000)

  it('Markdown: CommonMark with the structure, footnote markers and the API figures', async () => {
    const f = await spec()
    const file = await render(f.source, { format: 'markdown' })
    expect(file.filename).toBe('Q3 Roadmap brief.md')
    const md = text(file)
    const dom = markdownDom(md)
    expect(dom.querySelector('h1')!.textContent).toBe('Q3 Roadmap brief')
    expect([...dom.querySelectorAll('h2')].map((h) => h.textContent)).toContain('Goals [^1]')
    expect(dom.querySelector('h3')!.textContent).toMatch(/^Customer ideas/)
    expect(dom.querySelector('ul > li > ol > li')!.textContent).toMatch(/^Full text/)
    expect(dom.querySelector('blockquote p')!.textContent).toMatch(/^Quality over speed\./)
    expect(dom.querySelector('pre code')!.textContent).toBe('npm run export\n')
    expect(dom.querySelector('a')!.getAttribute('href')).toBe('https://example.com/roadmap')
    expect([...dom.querySelectorAll('p strong')].map((s) => s.textContent)).toContain('offline mode')
    expect([...dom.querySelectorAll('p em')].map((s) => s.textContent)).toContain('dark theme')
    for (const t of BODY_TEXTS) expect(md).toContain(t)
    // One marker per labelled block, one footnote each, with the API's label.
    const labels = apiLabels(f)
    const markers = [...md.matchAll(/ \[\^(\d+)\]$/gm)].map((m) => Number(m[1]))
    expect(markers.length + 1).toBe(labels.length) // the code block's marker stands on its own line
    const notes = [...md.matchAll(/^\[\^(\d+)\]: (.+?) — /gm)].map((m) => m[2])
    expect(notes).toEqual(labels)
    const figures = expectedFigures(f.api.attribution)
    for (const p of figures.people) expect(md).toContain(`- ${p.name} (`)
    for (const p of figures.people) expect(md).toMatch(new RegExp(`- ${p.name} \\(\\w+\\): ${p.chars} characters, ${p.share.replace('.', '\\.')} of the text`))
    expect(md).toContain(`The spec holds ${figures.total} characters: ${figures.customer} by customers and ${figures.team} by the team; customer share ${figures.customerShare}.`)
    const counts = f.api.contributions.counts.byState
    expect(md).toContain(`**Accepted: ${counts.accepted}**`)
    expect(md).toContain(`**Declined: ${counts.declined}**`)
    expect(md).toContain(`**Under discussion: ${counts.under_discussion}**`)
    expect(md).toMatch(/Honest limit:/)
  }, 60_000)

  it('HTML: one file with the structure, margin labels and the API figures; no script', async () => {
    const f = await spec()
    const html = text(await render(f.source, { format: 'html', paper: 'letter', declinedAppendix: true }))
    const dom = htmlDom(html)
    expect(dom.querySelectorAll('script')).toHaveLength(0)
    expect(dom.querySelector('meta[http-equiv="Content-Security-Policy"]')!.getAttribute('content')).toMatch(/^default-src 'none'; style-src 'sha256-/)
    expect(dom.querySelector('title')!.textContent).toBe('Q3 Roadmap brief')
    expect(dom.querySelector('style')!.textContent).toContain('size: letter')
    expect(dom.querySelector('style')!.textContent).toContain('counter(page)')
    expect(dom.querySelector('style')!.textContent).toMatch(/h1, h2, h3, h4 \{[^}]*break-after: avoid/)
    const main = dom.querySelector('main.brief')!
    expect(main.querySelector('h2')!.textContent).toBe('TeamGoals')
    expect(main.querySelector('ul > li > ol > li p')!.textContent).toBe('Full text')
    expect(main.querySelector('blockquote > p')!.textContent).toBe('Quality over speed.')
    expect(main.querySelector('pre code')!.textContent).toBe('npm run export')
    expect(main.querySelector('a')!.getAttribute('href')).toBe('https://example.com/roadmap')
    expect(main.querySelector('strong')!.textContent).toBe('offline mode')
    for (const t of BODY_TEXTS) expect(main.textContent).toContain(t)
    expect([...main.querySelectorAll('.attr')].map((l) => l.textContent)).toEqual(apiLabels(f))
    const figures = expectedFigures(f.api.attribution)
    const rows = [...dom.querySelectorAll('table.contributors tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent))
    expect(rows.map((r) => [r[0], Number(r[2]), r[3]]).sort()).toEqual(figures.people.map((p) => [p.name, p.chars, p.share]).sort())
    const sections = [...dom.querySelectorAll('table.sections tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent))
    // The last section runs from the "Customer ideas" heading (block [6]) to the end.
    const ideas = f.api.attribution.blocks.filter((b) => b.path[0]! >= 6)
    const [customer, team] = [ideas.reduce((n, b) => n + b.byGroup.customer, 0), ideas.reduce((n, b) => n + b.byGroup.team, 0)]
    expect(sections.at(-1)).toEqual(['Customer ideas', String(customer), String(team), pct(customer / (customer + team))])
    const decisions = Object.fromEntries([...dom.querySelectorAll('table.decisions tbody tr')].map((tr) => [tr.children[0]!.textContent, Number(tr.children[1]!.textContent)]))
    expect(decisions).toMatchObject({ Accepted: f.api.contributions.counts.byState.accepted, Declined: 1, 'Under discussion': 1 })
    expect(dom.querySelector('table.declined tbody tr')!.textContent).toContain('Out of scope for this release')
  }, 60_000)

  it('PDF: pdftotext reads the text, labels, page numbers and the API figures; the title is metadata', async () => {
    const f = await spec()
    const file = await render(f.source, { format: 'pdf' })
    expect(Buffer.from(file.bytes.subarray(0, 5)).toString()).toBe('%PDF-')
    const pdf = pdfText(file.bytes)
    for (const t of ['Q3 Roadmap brief', 'Goals', 'offline mode', 'Full text', 'Quality over speed.', 'npm run export', 'Dark mode for night shifts']) expect(pdf).toContain(t)
    expect(pdf).toMatch(/Page 2 of \d/)
    expect(pdf).toMatch(/Mixed · 67%/)
    expect(pdf).toMatch(/Customer\s+Dark mode for night shifts/)
    const figures = expectedFigures(f.api.attribution)
    for (const p of figures.people) expect(pdf).toMatch(new RegExp(`${p.name}\\s+\\w+\\s+${p.chars}\\s+${p.share.replace('.', '\\.')}`))
    const info = pdfInfo(file.bytes)
    expect(info).toMatch(/^Title:\s+Q3 Roadmap brief$/m)
    expect(info).toMatch(/^Page size:.*\(A4\)$/m)
  }, 60_000)

  it('DOCX: Word headings, numbered lists, named styles, hyperlinks, comments or footnotes, the API figures', async () => {
    const f = await spec()
    const parts = docxParts((await render(f.source, { format: 'docx' })).bytes)
    const doc = parts.get('word/document.xml')!
    expect(doc).toContain('<w:pStyle w:val="Title"/>')
    expect(doc).toContain('<w:pStyle w:val="Heading1"/>')
    expect(doc).toContain('<w:pStyle w:val="Heading2"/>')
    expect(doc).toContain('<w:pStyle w:val="Quote"/>')
    expect(doc).toContain('<w:pStyle w:val="Code"/>')
    expect(doc).toMatch(/<w:numPr><w:ilvl w:val="1"\/><w:numId w:val="\d+"\/><\/w:numPr>/)
    expect(doc).toMatch(/<w:b\/>[\s\S]*offline mode/)
    expect(doc).toMatch(/<w:i\/>[\s\S]*dark theme/)
    const link = /<w:hyperlink [^>]*r:id="([\w-]+)"/.exec(doc)![1]
    expect(parts.get('word/_rels/document.xml.rels')).toContain(`Id="${link}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://example.com/roadmap" TargetMode="External"`)
    const paragraphs = docxParagraphs(doc)
    for (const t of ['Goals', 'Sync', 'Full text', 'Quality over speed.', 'npm run export', 'Dark mode for night shifts']) expect(paragraphs).toContain(t)
    expect(parts.get('word/styles.xml')).toMatch(/<w:style w:type="paragraph" w:styleId="Quote">[\s\S]*?<w:name w:val="Quote"\/>/)
    expect(parts.get('word/numbering.xml')).toContain('w:val="decimal"')
    expect(parts.get('word/numbering.xml')).toContain('w:val="bullet"')
    const comments = docxParagraphs(parts.get('word/comments.xml')!).filter(Boolean)
    expect(comments.map((c) => c.split(' — ')[0])).toEqual(apiLabels(f))
    expect(doc.match(/<w:commentRangeStart /g)).toHaveLength(apiLabels(f).length)
    expect(parts.get('docProps/core.xml')).toMatch(/<dc:title>Q3 Roadmap brief<\/dc:title><dc:creator>Fay Facilitator<\/dc:creator>/)
    const figures = expectedFigures(f.api.attribution)
    const rows = docxRows(doc).filter((r) => r.length === 4 && r[1] !== 'Role')
    for (const p of figures.people) expect(rows).toContainEqual([p.name, expect.any(String), String(p.chars), p.share])

    const withFootnotes = docxParts((await render(f.source, { format: 'docx', docxAttribution: 'footnotes' })).bytes)
    expect(withFootnotes.get('word/document.xml')!.match(/<w:footnoteReference /g)).toHaveLength(apiLabels(f).length)
    expect(docxParagraphs(withFootnotes.get('word/footnotes.xml')!).filter((p) => p.includes(' — ')).map((p) => p.split(' — ')[0])).toEqual(apiLabels(f))
    expect(pct(f.api.attribution.customerShare)).toBe(figures.customerShare)
    expect(doc).toContain('<w:pgSz w:w="11906" w:h="16838"')
    const letter = docxParts((await render(f.source, { format: 'docx', paper: 'letter' })).bytes)
    expect(letter.get('word/document.xml')).toContain('<w:pgSz w:w="12240" w:h="15840"')
  }, 60_000)
})
