/**
 * The export runtime of one server: its folder, its job runner, the shared browser its PDF
 * jobs print in (shared-browser.ts: started at the first PDF job, closed when idle and on
 * close), and the synchronous HTML preview, both on the same renderer module (render-export.ts
 * next to this module, or one a test injects), so a preview shows what the job would render.
 */
import type { ExportOptions } from '../../shared/api-export.js'
import type { Config } from '../config.js'
import type { Logger } from '../observability/logger.js'
import { ExportError } from './export-errors.js'
import { ExportFiles } from './export-files.js'
import { LocalExportJobs } from './local-export-jobs.js'
import type { ExportSource, RenderExport } from './export-types.js'
import { SharedBrowser } from './shared-browser.js'
import { siblingModule } from './worker-launch.js'

/** A preview taking longer than this is abandoned (`preview_failed`). */
const PREVIEW_TIMEOUT_MS = 20_000

/** Exports of one running server. */
export interface ExportRuntime {
  jobs: LocalExportJobs
  /** The browser PDF jobs share. */
  browser: SharedBrowser
  /** Renders the HTML brief for `options` (whatever their format) on this thread. */
  preview(source: ExportSource, options: ExportOptions): Promise<string>
  /** Stops every job, deletes every file and closes the shared browser. */
  close(): Promise<void>
}

/**
 * Opens the export folder (`DATA_DIR/exports`, or a temporary one with `STORAGE=memory`),
 * deleting files an earlier run left there, and the runner with `config.export`'s limits.
 */
export function openExportRuntime(config: Config, log: Logger, rendererUrl?: URL): ExportRuntime {
  const renderer = rendererUrl ?? siblingModule(import.meta.url, 'render-export')
  const env = { chromiumPath: config.export.chromiumPath }
  const browser = new SharedBrowser({ chromiumPath: config.export.chromiumPath, idleMs: config.export.browserIdleMs, log })
  const jobs = new LocalExportJobs({
    // An injected renderer (tests' fake) prints with no Chromium: starting one would only cost.
    browser: rendererUrl ? undefined : browser,
    files: ExportFiles.open(config.storage === 'memory' ? null : config.dataDir),
    env,
    concurrency: config.export.concurrency,
    queueLimit: config.export.queueLimit,
    ttlMs: config.export.ttlMs,
    log,
    rendererUrl: renderer
  })
  let render: Promise<RenderExport> | null = null
  const load = async (): Promise<RenderExport> => {
    const mod = (await import(renderer.href)) as { renderExport?: RenderExport }
    if (typeof mod.renderExport !== 'function') throw new TypeError(`${renderer.href} exports no renderExport`)
    return mod.renderExport
  }
  return {
    jobs,
    browser,
    async preview(source, options) {
      render ??= load()
      try {
        const file = await (await render)(source, { ...options, format: 'html' }, env, () => {}, AbortSignal.timeout(PREVIEW_TIMEOUT_MS))
        return new TextDecoder().decode(file.bytes)
      } catch (err) {
        log.error({ err, spec: source.spec.id }, 'export preview failed')
        throw new ExportError('preview_failed', 'the preview could not be rendered')
      }
    },
    async close() {
      // Workers first: once they are gone nothing is connected to the browser.
      await jobs.close()
      await browser.close()
    }
  }
}
