/**
 * The export worker: the body of one export job, run in a worker thread so that rendering
 * (DOCX building, Chromium round trips, serialising 100k-character specs) never blocks the
 * event loop that acknowledges everyone's keystrokes. export-jobs.ts starts one per job.
 *
 * It imports the renderer named by `rendererUrl`, renders `source` with `options`, reports
 * progress (throttled), writes the file to `partPath` and says `done`; or says `failed`, or
 * `aborted` after an `abort` command. Any file it started is removed before it answers
 * `failed` or `aborted`. Its first and only job is given in `workerData`.
 */
import fs from 'node:fs/promises'
import { parentPort, workerData } from 'node:worker_threads'
import type { ExportWorkerCommand, ExportWorkerInput, ExportWorkerMessage } from './export-worker-protocol.js'
import type { RenderExport } from './export-types.js'

/** Least time between two progress messages with the same stage. */
const PROGRESS_INTERVAL_MS = 100

const port = parentPort
if (!port) throw new Error('export-worker runs only in a worker thread')
const input = workerData as ExportWorkerInput
const controller = new AbortController()
const say = (message: ExportWorkerMessage): void => port.postMessage(message)

port.on('message', (command: ExportWorkerCommand) => {
  if (command.type === 'abort') controller.abort()
})

let sent = { fraction: -1, stage: '', at: 0 }
/** Monotonic, clamped, and at most one message per interval unless the stage changes. */
const progress = (fraction: number, stage: string): void => {
  const f = Math.min(1, Math.max(sent.fraction, Number.isFinite(fraction) ? fraction : 0))
  const now = Date.now()
  if (stage === sent.stage && (f === sent.fraction || now - sent.at < PROGRESS_INTERVAL_MS)) return
  sent = { fraction: f, stage, at: now }
  say({ type: 'progress', fraction: f, stage })
}

const codeOf = (err: unknown): string => {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^[a-z][a-z0-9_]{0,63}$/.test(code) ? code : 'render_failed'
}

async function run(): Promise<ExportWorkerMessage> {
  let render: RenderExport
  try {
    const mod = (await import(input.rendererUrl)) as { renderExport?: unknown }
    if (typeof mod.renderExport !== 'function') throw new TypeError('the renderer module exports no renderExport')
    render = mod.renderExport as RenderExport
  } catch (err) {
    return { type: 'failed', code: 'renderer_unavailable', message: err instanceof Error ? err.message : String(err) }
  }
  try {
    progress(0, 'Starting')
    const file = await render(input.source, input.options, input.env, progress, controller.signal)
    controller.signal.throwIfAborted()
    await fs.writeFile(input.partPath, file.bytes, { signal: controller.signal })
    return { type: 'done', filename: file.filename, contentType: file.contentType, size: file.bytes.byteLength }
  } catch (err) {
    // Whatever was written is removed before answering: the runner then finds no file to serve.
    await fs.rm(input.partPath, { force: true })
    if (controller.signal.aborted) return { type: 'aborted' }
    return { type: 'failed', code: codeOf(err), message: err instanceof Error ? err.message : String(err) }
  }
}

say(await run())
// The runner terminates the thread on the final message; closing the port lets it end alone too.
port.close()
