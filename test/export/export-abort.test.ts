/**
 * Aborting an export stops it: a signal aborted before the start rejects at once in every format;
 * aborted while Chromium prints in a browser of its own, the render rejects with an AbortError
 * and no Chromium process of this test process is left (found by the `--valence-export-pid`
 * switch render-pdf.ts adds, which the test first sees while the browser runs); aborted while it
 * prints in the shared browser (shared-browser.ts), it rejects, the browser keeps running with
 * no page of the job left (no renderer process under it, which the test first sees while the job
 * runs), and prints the next job; aborted while DOCX is written, it rejects too.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { exportOptions } from '../../shared/api-export.js'
import { renderExport } from '../../server/export/render-export.js'
import { SharedBrowser } from '../../server/export/shared-browser.js'
import type { ExportSource, RenderEnvironment } from '../../server/export/export-types.js'
import { createLogger } from '../../server/observability/logger.js'
import { eventually } from '../helpers/eventually.js'
import { buildFixture, type Fixture } from './brief-fixture.js'
import { exportBrowsers, renderersOf } from './chromium-processes.js'
import { CHROMIUM, pdfInfo } from './read-export.js'

let fixture: Promise<Fixture> | null = null
const spec = (): Promise<Fixture> => (fixture ??= buildFixture())

const shared: SharedBrowser[] = []
afterEach(async () => {
  await Promise.all(shared.splice(0).map((b) => b.close()))
})

/**
 * Renders and aborts when `stage` is first reported; returns the rejection and what ran at that
 * moment (`count`: export browsers by default).
 */
async function abortAt(
  source: ExportSource,
  format: 'pdf' | 'docx',
  stage: string,
  env: RenderEnvironment = { chromiumPath: CHROMIUM },
  count: () => number = () => exportBrowsers().length
): Promise<{ error: unknown; runningAtAbort: number }> {
  const controller = new AbortController()
  let runningAtAbort = -1
  let abortedAt = 0
  const render = renderExport(source, exportOptions.parse({ format }), env, (_fraction, at) => {
    if (at === stage && runningAtAbort === -1) {
      runningAtAbort = count()
      abortedAt = performance.now()
      controller.abort()
    }
  }, controller.signal)
  const error = await render.then(
    () => null,
    (err: unknown) => err
  )
  console.log(`${format}${env.browserEndpoint ? ' (shared browser)' : ''}: rejected ${(performance.now() - abortedAt).toFixed(0)} ms after the abort at "${stage}"`)
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

  it('PDF in the shared browser: aborting closes the job\'s page, and the browser prints the next job', async () => {
    const { source } = await spec()
    const browser = new SharedBrowser({ chromiumPath: CHROMIUM, log: createLogger('silent') })
    shared.push(browser)
    const lease = await browser.acquire()
    const pid = (await browser.pid())!
    expect(exportBrowsers()).toEqual([pid])
    const env = { chromiumPath: CHROMIUM, browserEndpoint: lease.endpoint }
    const { error, runningAtAbort } = await abortAt(source, 'pdf', 'Printing PDF', env, () => renderersOf(pid).length)
    // Positive control: the same lookup saw the job's renderer while it printed.
    expect(runningAtAbort).toBeGreaterThan(0)
    expect(error).toMatchObject({ name: 'AbortError' })
    await eventually(() => expect(renderersOf(pid)).toEqual([]))
    // The shared browser is still the one running, and prints the next job.
    expect(exportBrowsers()).toEqual([pid])
    const again = await renderExport(source, exportOptions.parse({ format: 'pdf', paper: 'letter' }), env, () => {}, new AbortController().signal)
    expect(pdfInfo(again.bytes)).toMatch(/^Page size:\s+612 x 792 pts \(letter\)$/m)
    await eventually(() => expect(renderersOf(pid)).toEqual([]))
    expect(exportBrowsers()).toEqual([pid])
    lease.release()
    await browser.close()
    await eventually(() => expect(exportBrowsers()).toEqual([]))
  }, 60_000)

  it('DOCX: aborting while the document is written rejects', async () => {
    const { source } = await spec()
    const { error } = await abortAt(source, 'docx', 'Writing the Word document')
    expect(error).toMatchObject({ name: 'AbortError' })
  }, 60_000)
})
