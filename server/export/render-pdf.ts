/**
 * The brief as PDF: the HTML brief (render-html.ts) printed by headless Chromium through
 * playwright-core, with the page size, margins and page numbers of its print CSS
 * (`preferCSSPageSize`; the numbers are CSS page-margin boxes, supported since Chromium 131).
 * The PDF's Title is the document's `<title>`: the brief's title, scrubbed when anonymised.
 *
 * The page runs with JavaScript disabled, offline, every request refused, under the HTML's CSP.
 *
 * Abort: the signal closes the browser at once (which kills its processes) and the render
 * rejects with the signal's reason, so a cancelled job leaves no Chromium behind. Each browser
 * is launched with a `--valence-export-pid=<pid>` switch (Chromium ignores it) so tests and
 * operators can find an export's processes.
 */
import { chromium, type Browser } from 'playwright-core'
import type { ExportProgress, RenderEnvironment } from './export-types.js'

/** The Chromium switch that marks export browsers of this process. */
export const exportBrowserMarker = (): string => `--valence-export-pid=${process.pid}`

/** Prints `html` to PDF bytes (see the module comment). */
export async function renderPdf(html: string, env: RenderEnvironment, progress: ExportProgress, signal: AbortSignal): Promise<Uint8Array> {
  signal.throwIfAborted()
  progress(0.2, 'Starting the PDF printer')
  let browser: Browser | null = null
  let closing: Promise<void> | null = null
  const close = (): Promise<void> => (closing ??= browser ? browser.close().catch(() => {}) : Promise.resolve())
  const onAbort = (): void => {
    close().catch(() => {})
  }
  signal.addEventListener('abort', onAbort, { once: true })
  try {
    const launched = await chromium.launch({ executablePath: env.chromiumPath, headless: true, args: [exportBrowserMarker(), '--disable-gpu'] })
    browser = launched
    // Aborted while launching: nothing held the browser yet, so close it here.
    if (signal.aborted) {
      await close()
      signal.throwIfAborted()
    }
    const context = await launched.newContext({ javaScriptEnabled: false, offline: true })
    await context.route('**/*', (route) => route.abort())
    const page = await context.newPage()
    progress(0.4, 'Laying out pages')
    await page.setContent(html, { waitUntil: 'load' })
    signal.throwIfAborted()
    progress(0.6, 'Printing PDF')
    const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true, tagged: true, outline: true })
    signal.throwIfAborted()
    progress(0.95, 'PDF printed')
    return new Uint8Array(pdf)
  } catch (err) {
    // A page or browser call fails once the abort closed the browser: report the abort.
    signal.throwIfAborted()
    throw err
  } finally {
    signal.removeEventListener('abort', onAbort)
    await close()
  }
}
