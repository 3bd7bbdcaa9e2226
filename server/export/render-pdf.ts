/**
 * The brief as PDF: the HTML brief (render-html.ts) printed by headless Chromium through
 * playwright-core, with the page size, margins and page numbers of its print CSS
 * (`preferCSSPageSize`; the numbers are CSS page-margin boxes, supported since Chromium 131).
 * The PDF's Title is the document's `<title>`: the brief's title, scrubbed when anonymised.
 *
 * The page runs with JavaScript disabled, offline, every request refused, under the HTML's CSP.
 *
 * Browser: with `env.browserEndpoint` the job connects to the server's shared browser
 * (shared-browser.ts) and works in a context of its own, which it closes with its connection
 * when done; the shared browser stays. Without it (unit tests, the bench's cold figure) the job
 * launches a browser of its own and closes it.
 *
 * Abort: the signal closes the job's context and connection (or its own browser, which kills
 * its processes) at once and the render rejects with the signal's reason, so a cancelled job
 * leaves no page, context or browser of its own behind. Each browser is launched with a
 * `--valence-export-pid=<pid>` switch (Chromium ignores it) so tests and operators can find an
 * export's processes.
 */
import { chromium, type Browser, type BrowserContext } from 'playwright-core'
import type { ExportProgress, RenderEnvironment } from './export-types.js'

/** The Chromium switch that marks export browsers of this process. */
export const exportBrowserMarker = (): string => `--valence-export-pid=${process.pid}`

/** Prints `html` to PDF bytes (see the module comment). */
export async function renderPdf(html: string, env: RenderEnvironment, progress: ExportProgress, signal: AbortSignal): Promise<Uint8Array> {
  signal.throwIfAborted()
  progress(0.2, 'Starting the PDF printer')
  let browser: Browser | null = null
  let context: BrowserContext | null = null
  let closing: Promise<void> | null = null
  // Done: the context first, then the browser (for a shared browser `close` only disconnects;
  // an own browser is killed). Aborted: the browser at once, without waiting for the context
  // to close: disconnecting makes every pending call reject now, and the browser server closes
  // the contexts of a connection that went away.
  const close = (aborted = false): Promise<void> =>
    (closing ??= (async () => {
      if (!aborted) await context?.close().catch(() => {})
      await browser?.close().catch(() => {})
    })())
  const onAbort = (): void => {
    close(true).catch(() => {})
  }
  signal.addEventListener('abort', onAbort, { once: true })
  try {
    const opened = env.browserEndpoint
      ? await chromium.connect(env.browserEndpoint)
      : await chromium.launch({ executablePath: env.chromiumPath, headless: true, args: [exportBrowserMarker(), '--disable-gpu'] })
    browser = opened
    // Aborted while connecting or launching: nothing held the browser yet, so close it here.
    if (signal.aborted) {
      await close(true)
      signal.throwIfAborted()
    }
    const ownContext = await opened.newContext({ javaScriptEnabled: false, offline: true })
    context = ownContext
    // Aborted while the context was made: close() may have run before it was known.
    if (signal.aborted) {
      await ownContext.close().catch(() => {})
      signal.throwIfAborted()
    }
    await ownContext.route('**/*', (route) => route.abort())
    const page = await ownContext.newPage()
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
