/**
 * A stand-in renderer for tests of the export job runner (loaded in the export worker through
 * `rendererUrl`): what it does is read from the spec title, so a test steers a job through the
 * same path a real one takes, with timings it chooses.
 *
 * - `steps:N:MS` (anywhere in the title): N progress steps of MS milliseconds each (default
 *   `steps:4:25`);
 * - `fail:code`: throws an error with that `code` after the steps;
 * - `deaf`: ignores the abort signal (the runner must terminate the worker);
 * - `crash`: exits the worker thread abruptly.
 * The file's bytes start with `%PDF-fake` for PDF and name the format otherwise.
 */
import { EXPORT_FILE_TYPES } from '../../shared/api-export.js'
import type { RenderExport } from '../../server/export/export-types.js'

const sleep = (ms: number, signal: AbortSignal | null): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => {
      clearTimeout(timer)
      reject(signal.reason)
    }, { once: true })
  })

/** The fake {@link RenderExport}. */
export const renderExport: RenderExport = async (source, options, _env, progress, signal) => {
  const title = source.spec.title
  const [, n = '4', ms = '25'] = /steps:(\d+):(\d+)/.exec(title) ?? []
  const deaf = title.includes('deaf')
  if (title.includes('crash')) process.exit(3)
  for (let i = 0; i < Number(n); i++) {
    progress(i / Number(n), `Step ${i + 1} of ${n}`)
    await sleep(Number(ms), deaf ? null : signal)
  }
  const failure = /fail:([a-z_]+)/.exec(title)
  if (failure) throw Object.assign(new Error('fake failure'), { code: failure[1] })
  progress(1, 'Writing')
  const { extension, contentType } = EXPORT_FILE_TYPES[options.format]
  const text = options.format === 'pdf' ? `%PDF-fake ${title}` : `${options.format} ${title}`
  return { bytes: new TextEncoder().encode(text), filename: `${title}.${extension}`, contentType }
}
