/**
 * Aborting an export stops it: a signal aborted before the start rejects at once in every format;
 * aborted while Chromium prints, the render rejects with an AbortError and no Chromium process of
 * this test process is left (found by the `--valence-export-pid` switch render-pdf.ts adds, which
 * the test first sees while the browser runs); aborted while DOCX is written, it rejects too.
 */
import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { exportOptions } from '../../shared/api-export.js'
import { renderExport } from '../../server/export/render-export.js'
import { exportBrowserMarker } from '../../server/export/render-pdf.js'
import type { ExportSource } from '../../server/export/export-types.js'
import { eventually } from '../helpers/eventually.js'
import { buildFixture, type Fixture } from './brief-fixture.js'
import { CHROMIUM, pdfInfo } from './read-export.js'

let fixture: Promise<Fixture> | null = null
const spec = (): Promise<Fixture> => (fixture ??= buildFixture())

/** Pids of live processes started with this process's export marker. */
function exportBrowsers(): number[] {
  const marker = exportBrowserMarker()
  return execFileSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(marker) && !/^\s*\d+\s+Z/.test(line))
    .map((line) => Number(line.trim().split(/\s+/)[0]))
}

/** Renders and aborts when `stage` is first reported; returns the rejection and what ran at that moment. */
async function abortAt(source: ExportSource, format: 'pdf' | 'docx', stage: string): Promise<{ error: unknown; runningAtAbort: number }> {
  const controller = new AbortController()
  let runningAtAbort = -1
  const render = renderExport(source, exportOptions.parse({ format }), { chromiumPath: CHROMIUM }, (_fraction, at) => {
    if (at === stage && runningAtAbort === -1) {
      runningAtAbort = exportBrowsers().length
      controller.abort()
    }
  }, controller.signal)
  const error = await render.then(
    () => null,
    (err: unknown) => err
  )
  return { error, runningAtAbort }
}

describe('aborting an export', () => {
  it('an already aborted signal rejects every format before any work', async () => {
    const { source } = await spec()
    for (const format of ['markdown', 'html', 'pdf', 'docx'] as const) {
      const controller = new AbortController()
      controller.abort()
      let progressed = false
      await expect(renderExport(source, exportOptions.parse({ format }), { chromiumPath: CHROMIUM }, () => (progressed = true), controller.signal)).rejects.toMatchObject({ name: 'AbortError' })
      expect(progressed).toBe(false)
    }
    expect(exportBrowsers()).toEqual([])
  }, 60_000)

  it('PDF: aborting while Chromium runs rejects and leaves no Chromium process', async () => {
    const { source } = await spec()
    expect(exportBrowsers()).toEqual([])
    const { error, runningAtAbort } = await abortAt(source, 'pdf', 'Laying out pages')
    // Positive control: the same lookup saw the browser while it ran.
    expect(runningAtAbort).toBeGreaterThan(0)
    expect(error).toMatchObject({ name: 'AbortError' })
    await eventually(() => expect(exportBrowsers()).toEqual([]))
    // A render after it is unaffected (on Letter paper, which the PDF then has).
    const again = await renderExport(source, exportOptions.parse({ format: 'pdf', paper: 'letter' }), { chromiumPath: CHROMIUM }, () => {}, new AbortController().signal)
    expect(pdfInfo(again.bytes)).toMatch(/^Page size:\s+612 x 792 pts \(letter\)$/m)
    await eventually(() => expect(exportBrowsers()).toEqual([]))
  }, 60_000)

  it('DOCX: aborting while the document is written rejects', async () => {
    const { source } = await spec()
    const { error } = await abortAt(source, 'docx', 'Writing the Word document')
    expect(error).toMatchObject({ name: 'AbortError' })
  }, 60_000)
})
