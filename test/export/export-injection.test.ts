/**
 * Hostile input comes out inert in every format. A seeded property test puts payloads (script
 * and markup, formulas, links to other schemes, control characters, lone surrogates) and random
 * strings into the spec's text and links, the title, display names, panel names, the version
 * label, idea texts and decision notes of a real spec's export source, renders every format and
 * checks each with its reader (inert-checks.ts). One spec is also written with payloads through
 * the real server, and its PDF is printed. The seed is printed; `EXPORT_SEED=n` replays it.
 */
import * as prng from 'lib0/prng'
import { describe, expect, it } from 'vitest'
import type { ExportSource } from '../../server/export/export-types.js'
import { buildFixture, DEFAULT_TEXTS, type Fixture } from './brief-fixture.js'
import { expectInertDocx, expectInertHtml, expectInertMarkdown } from './inert-checks.js'
import { htmlDom, pdfInfo, pdfText, render, text } from './read-export.js'

const PAYLOADS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '"><svg onload=alert(1)>',
  "'><iframe src=javascript:alert(1)>",
  '<a href="javascript:alert(1)">x</a>',
  '[click](javascript:alert(1))',
  '![x](https://evil.example/x.png)',
  '<https://evil.example>',
  'javascript:alert(1)',
  "=cmd|' /C calc'!A0",
  '+SUM(1,2)',
  '-2+3',
  '@SUM(1)',
  '=HYPERLINK("http://evil.example","x")',
  '&lt;script&gt; &#60;b&#62;',
  '<!-- c --> ]]> <?xml version="1.0"?>',
  '<style>body{display:none}</style>',
  '<w:t>docx</w:t><w:instrText>HYPERLINK</w:instrText>',
  '`code` **bold** _em_ # heading',
  '| a | b |\n|---|---|',
  '===\n---\n# not a heading',
  '1. not a list\n> not a quote',
  'a\u0000b\u0007c\u001Fd',
  '\uD800 lone surrogate \uDFFF',
  '\u202Eright-to-left override',
  '"quoted" & \'single\' \\ backslash'
]

const HREFS = ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:x', 'https://ok.example/"><script>alert(1)</script>', 'mailto:a@example.com?subject=<b>', 'https://ok.example/a b)(c']

const ALPHABET = '<>&"\'=+-@[]()*_`#|!:;/\\ \n\tabcxyz019'

function randomString(gen: prng.PRNG): string {
  let s = ''
  for (let i = prng.int31(gen, 1, 40); i > 0; i--) s += ALPHABET[prng.int31(gen, 0, ALPHABET.length - 1)]
  return s
}

const payload = (gen: prng.PRNG): string => (prng.bool(gen) ? prng.oneOf(gen, PAYLOADS) : randomString(gen))

/** `source` with payloads everywhere a participant can type or name something. */
function hostile(source: ExportSource, gen: prng.PRNG): ExportSource {
  const s = structuredClone(source)
  const doc = s.doc as { content: { type: string; content?: unknown[] }[] }
  doc.content[0] = { type: 'title', content: [{ type: 'text', text: payload(gen) }] }
  for (let i = 0; i < 4; i++) {
    const mark = prng.oneOf(gen, [[], [{ type: 'strong' }], [{ type: 'em' }], [{ type: 'link', attrs: { href: prng.oneOf(gen, HREFS), title: payload(gen) } }]])
    doc.content.push({ type: 'paragraph', content: [{ type: 'text', text: payload(gen), ...(mark.length > 0 ? { marks: mark } : {}) }] })
  }
  doc.content.push({ type: 'code_block', content: [{ type: 'text', text: `${payload(gen)}\n\`\`\`\n${payload(gen)}` }] })
  s.spec.title = payload(gen)
  s.versionLabel = payload(gen)
  if (s.facilitator) s.facilitator.displayName = payload(gen)
  for (const p of s.participants) p.displayName = payload(gen)
  for (const p of s.panels) p.name = payload(gen)
  for (const c of s.contributions) {
    c.text = payload(gen)
    c.note = payload(gen)
  }
  return s
}

let fixture: Promise<Fixture> | null = null
const spec = (): Promise<Fixture> => (fixture ??= buildFixture())

describe('hostile input is inert in every format', () => {
  it('seeded payloads and random strings in text, links, names, panels and notes (Markdown, HTML, DOCX)', async () => {
    const seed = Number(process.env.EXPORT_SEED ?? Math.floor(Math.random() * 2 ** 31))
    const iterations = Number(process.env.EXPORT_ITERATIONS ?? 12)
    console.log(`export injection seed ${seed} (EXPORT_SEED=${seed} replays it), ${iterations} iterations`)
    const gen = prng.create(seed)
    const base = (await spec()).source
    for (let i = 0; i < iterations; i++) {
      const source = hostile(base, gen)
      for (const options of [{}, { anonymise: true, content: 'accepted', declinedAppendix: true, docxAttribution: 'footnotes' }] as const) {
        try {
          expectInertMarkdown(text(await render(source, { format: 'markdown', ...options })))
          const html = text(await render(source, { format: 'html', ...options }))
          expectInertHtml(html)
          expectInertDocx((await render(source, { format: 'docx', ...options })).bytes)
          // Positive control: the payload text is there, as text (anonymised exports may scrub
          // parts of it: the display names are payloads too).
          if ('anonymise' in options) continue
          const first = (source.doc as { content: { content?: { text: string }[] }[] }).content.at(-2)!.content![0]!.text
          if (!/[\u0000-\u001f\uD800-\uDFFF]/.test(first) && first.trim()) expect(htmlDom(html).querySelector('main')!.textContent).toContain(first.trim().split('\n')[0])
        } catch (err) {
          console.log(`failed at iteration ${i} with seed ${seed}, options ${JSON.stringify(options)}`)
          throw err
        }
      }
    }
  }, 120_000)

  it('a spec written with payloads through the real server, printed to PDF too', async () => {
    const texts = { ...DEFAULT_TEXTS, title: '<script>alert(1)</script> =SUM(1)', cem: '<img src=x onerror=alert(1)> @cmd', carlaPanel: '"><svg onload=alert(1)>', cemPanel: '=HYPERLINK("http://evil.example")', declineNote: '<b>no</b> +1' }
    const f = await buildFixture(texts)
    const options = { declinedAppendix: true } as const
    const md = text(await render(f.source, { format: 'markdown', ...options }))
    expectInertMarkdown(md)
    const html = text(await render(f.source, { format: 'html', ...options }))
    expectInertHtml(html)
    expect(htmlDom(html).querySelector('title')!.textContent).toBe(texts.title)
    expect(htmlDom(html).querySelector('main')!.textContent).toContain(texts.cem)
    expectInertDocx((await render(f.source, { format: 'docx', ...options })).bytes)
    const pdf = await render(f.source, { format: 'pdf', ...options })
    expect(pdfText(pdf.bytes)).toContain('<img src=x onerror=alert(1)> @cmd')
    const info = pdfInfo(pdf.bytes)
    expect(info).toMatch(/^JavaScript:\s+no$/m)
    expect(info).toContain('<script>alert(1)</script> =SUM(1)')
  }, 120_000)
})
