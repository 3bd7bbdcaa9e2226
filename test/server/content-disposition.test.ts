/**
 * Download names from typed titles (server/http/content-disposition.ts): nothing that names a
 * path, breaks the header or hides the extension survives; letters of any script do.
 */
import { describe, expect, it } from 'vitest'
import { attachment, safeFilename } from '../../server/http/content-disposition.js'

describe('download file names', () => {
  it('keeps ordinary titles as they are', () => {
    expect(safeFilename('Q3 Roadmap', 'pdf')).toBe('Q3 Roadmap.pdf')
    expect(safeFilename('Überblick: Kunden & Team', 'docx')).toBe('Überblick Kunden & Team.docx')
    expect(safeFilename('製品仕様', 'md')).toBe('製品仕様.md')
  })

  it('drops path separators, leading dots, control and bidi characters, and header syntax', () => {
    expect(safeFilename('../../etc/passwd', 'pdf')).toBe('etc passwd.pdf')
    expect(safeFilename('a\r\nContent-Type: text/html\r\n\r\n<script>', 'html')).toBe('a Content-Type text html script.html')
    expect(safeFilename('invoice\u202Efdp.exe', 'pdf')).toBe('invoice fdp.exe.pdf')
    expect(safeFilename('"quoted" \\ back', 'md')).toBe('quoted back.md')
    expect(safeFilename('...', 'md')).toBe('export.md')
    expect(safeFilename('', 'pdf')).toBe('export.pdf')
    expect([...safeFilename('x'.repeat(500), 'pdf')]).toHaveLength(124)
  })

  it('builds an attachment header with an ASCII fallback and the exact UTF-8 name', () => {
    expect(attachment('Q3 Roadmap.pdf')).toBe(`attachment; filename="Q3 Roadmap.pdf"; filename*=UTF-8''Q3%20Roadmap.pdf`)
    expect(attachment('Été 100%.md')).toBe(`attachment; filename="_t_ 100_.md"; filename*=UTF-8''%C3%89t%C3%A9%20100%25.md`)
    expect(attachment("it's (draft)*.md")).toBe(`attachment; filename="it's (draft)*.md"; filename*=UTF-8''it%27s%20%28draft%29%2A.md`)
    for (const title of ['a\r\nb', '"x"', 'a;b=c', '\u0000z']) expect(attachment(safeFilename(title, 'pdf'))).not.toMatch(/[\r\n\0]/)
  })
})
